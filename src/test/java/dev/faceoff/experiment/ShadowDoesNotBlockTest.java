package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import dev.faceoff.SharedData;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.RequestScope;
import dev.faceoff.testing.EndToEnd;
import dev.faceoff.verification.VerificationService;

/**
 * Shadow work never holds up a request: the shadow worker blocks on a latch before each real comparison, and
 * with a queue of 2 all eight shadowed verifications answer while the first comparison is still held there
 * (none has finished); two wait in the queue and the other five are dropped and counted. Released, exactly
 * the three held comparisons run.
 */
@EndToEnd(store = EndToEnd.Store.AB, web = SpringBootTest.WebEnvironment.NONE)
class ShadowDoesNotBlockTest {

    static final int REQUESTS = 8;
    static final int QUEUE = 2;
    /** Counted down by each shadow task as the worker starts it. */
    static final CountDownLatch started = new CountDownLatch(1);
    /** The shadow worker waits here before each real comparison. */
    static final CountDownLatch release = new CountDownLatch(1);
    /** Counted down by each shadow task once its real comparison is done. */
    static final CountDownLatch finished = new CountDownLatch(1 + QUEUE);

    @TestConfiguration
    static class HeldShadow {
        /** The real executor with a queue of 2, each task held on {@link #release} before the real shadow model runs. */
        @Bean
        @Primary
        ShadowExecutor heldShadowExecutor(ModelRepository models) {
            return new ShadowExecutor(QUEUE, task -> () -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                task.run();
                finished.countDown();
            }, models);
        }
    }

    static Path lfw;

    @BeforeAll
    static void data() {
        lfw = SharedData.lfw();
    }

    @AfterAll
    static void letGo() {
        release.countDown();
    }

    @Autowired
    VerificationService service;
    @Autowired
    ExperimentStats stats;
    @Autowired
    ShadowExecutor executor;
    @Autowired
    MeterRegistry registry;

    static byte[] image(String name, int n) throws Exception {
        return Files.readAllBytes(lfw.resolve(name).resolve(String.format("%s_%04d.jpg", name, n)));
    }

    @Test
    void everyRequestAnswersWhileItsShadowIsHeldAndTheOverflowIsCounted() throws Exception {
        byte[] a = image("Aaron_Peirsol", 1);
        byte[] b = image("Aaron_Peirsol", 2);
        // on a thread of their own: a request that waited for its shadow would fail the get, not hang the test
        CompletableFuture.runAsync(() -> verify(a, b, "subject-0")).get(60, TimeUnit.SECONDS);
        assertThat(started.await(30, TimeUnit.SECONDS)).as("the worker took the first comparison").isTrue();
        CompletableFuture.runAsync(() -> {
            for (int i = 1; i < REQUESTS; i++) {
                verify(a, b, "subject-" + i);
            }
        }).get(120, TimeUnit.SECONDS);

        // every request has its answer; the worker is still held on the first comparison
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(compared()).as("comparisons finished while the requests ran").isZero();
        assertThat(executor.queued()).isEqualTo(QUEUE);
        assertThat(stats.handoffMicros()).as("hand-offs").hasSize(REQUESTS);
        int dropped = REQUESTS - 1 - QUEUE;
        assertThat(registry.find("faceoff.shadow.dropped").tag("experiment", "losses").tag("model", "copy-softmax")
                .counter().count()).isEqualTo(dropped);
        assertThat(stats.shadow("losses", "arcface", "copy-softmax").dropped.sum()
                + stats.shadow("losses", "cosface", "copy-softmax").dropped.sum()).isEqualTo(dropped);

        release.countDown();
        assertThat(finished.await(60, TimeUnit.SECONDS)).as("the held comparisons ran once released").isTrue();
        assertThat(compared()).isEqualTo(1 + QUEUE);
        assertThat(executor.queued()).isZero();
    }

    private long compared() {
        return stats.shadow("losses", "arcface", "copy-softmax").comparisons.sum()
                + stats.shadow("losses", "cosface", "copy-softmax").comparisons.sum();
    }

    private void verify(byte[] a, byte[] b, String subject) {
        var keys = new RequestKeys(Map.of("x-subject-id", subject), Map.of());
        var result = service.verify(new VerificationService.Request(a, b, null, null, null, null, keys), new RequestScope());
        assertThat(result.match()).isTrue();
        assertThat(result.routing().assignment()).isEqualTo("sticky");
    }
}
