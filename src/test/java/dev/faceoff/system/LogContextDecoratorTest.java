package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextDecoratorTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aTaskRunsInTheLogContextOfItsSubmitterAndLeavesNoneBehind() {
        var seen = new ArrayList<String>();
        MDC.put("request_id", "r-1");
        Runnable task = new LogContextDecorator().decorate(() -> seen.add(MDC.get("request_id")));
        MDC.put("request_id", "r-2");   // the submitter moves on: the task keeps the context it was submitted in
        task.run();
        assertThat(seen).containsExactly("r-1");
        assertThat(MDC.getCopyOfContextMap()).as("cleared after the task").isNullOrEmpty();
    }

    @Test
    void aTaskSubmittedWithoutALogContextRunsWithout() {
        var seen = new ArrayList<String>();
        Runnable task = new LogContextDecorator().decorate(() -> seen.add(MDC.get("request_id")));
        task.run();
        assertThat(seen).containsExactly((String) null);
    }
}
