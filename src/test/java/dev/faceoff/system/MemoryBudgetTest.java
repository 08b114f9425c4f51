package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

class MemoryBudgetTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A budget of {@code bytes} (0: the default) whose refusals carry a Retry-After of 7 s. */
    MemoryBudget budget(long bytes) {
        return new MemoryBudget(new LimitsProperties(true, 1, 1, 0.5, DataSize.ofBytes(bytes), Duration.ofSeconds(5), 16,
                true), new FaceoffMetrics(registry), () -> 7);
    }

    double reserved() {
        return registry.get("faceoff.admission.memory.reserved").gauge().value();
    }

    @Test
    void memoryBeyondTheBudgetIsRefusedAndReturnedOnClose() {
        MemoryBudget m = budget(1000);
        var r1 = m.reserve(600, 0);
        assertThatThrownBy(() -> m.reserve(500, 0)).isInstanceOfSatisfying(FaceoffException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.retryAfterSeconds()).as("the queue's").isEqualTo(7);
        });
        m.reserve(400, 0).close();
        r1.close();
        // alone, a request larger than the whole budget is admitted: no valid request is refused forever
        try (var big = m.reserve(5000, 0)) {
            assertThatThrownBy(() -> m.reserve(1, 0)).isInstanceOf(FaceoffException.class);
        }
        m.reserve(1000, 0).close();
        // a request's own body does not count against it: holding 300 (its body), it may take 5000 more
        try (var body = m.reserve(300, 0); var pixels = m.reserve(5000, 300)) {
            assertThat(reserved()).isEqualTo(5300.0);
            assertThatThrownBy(() -> m.reserve(1, 0)).isInstanceOf(FaceoffException.class);
        }
        assertThat(registry.get("faceoff.admission").tag("outcome", "rejected").tag("reason", "memory").counter().count())
                .isEqualTo(3);
        assertThat(reserved()).isZero();
    }

    @Test
    void theDefaultBudgetIsAQuarterOfTheMemoryLimit() {
        MemoryBudget m = budget(0);
        assertThat(m.budget()).isEqualTo(MemoryBudget.memoryLimit() / 4).isPositive();
        assertThat(registry.get("faceoff.admission.memory.budget").gauge().value()).isEqualTo(m.budget());
    }
}
