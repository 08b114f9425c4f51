package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.RequestScope;
import dev.faceoff.verification.VerificationService;
import dev.faceoff.system.RequestScope;

/**
 * Shadow work never holds up a request: with a shadow worker that sleeps 5 s before each real comparison
 * and a queue of 2, eight verifications in a row take no longer than eight without a shadow (an explicit
 * model skips the experiment), and the five comparisons that find the queue full are dropped and counted.
 */
@EndToEnd(store = EndToEnd.Store.AB, web = SpringBootTest.WebEnvironment.NONE)
class ShadowDoesNotBlockTest {

    static final long DELAY_MS = 5_000;

    @TestConfiguration
    static class SlowShadow {
        /** The real executor with a queue of 2, each task delayed before the real shadow model runs. */
        @Bean
        @Primary
        ShadowExecutor slowShadowExecutor(ModelRepository models) {
            return new ShadowExecutor(2, task -> () -> {
                try {
                    Thread.sleep(DELAY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                task.run();
            }, models);
        }
    }

    static Path lfw;

    @BeforeAll
    static void data() {
        lfw = SharedData.lfw();
    }

    @Autowired
    VerificationService service;
    @Autowired
    ExperimentStats stats;
    @Autowired
    MeterRegistry registry;

    static byte[] image(String name, int n) throws Exception {
        return Files.readAllBytes(lfw.resolve(name).resolve(String.format("%s_%04d.jpg", name, n)));
    }

    @Test
    void aSlowShadowAddsNothingToTheRequestAndItsOverflowIsCounted() throws Exception {
        byte[] a = image("Aaron_Peirsol", 1);
        byte[] b = image("Aaron_Peirsol", 2);
        for (int i = 0; i < 3; i++) {
            verify(a, b, "copy-arcface", null);   // warm-up, no shadow
        }
        var shadowed = new ArrayList<Double>();
        var plain = new ArrayList<Double>();
        for (int i = 0; i < 8; i++) {
            plain.add(verify(a, b, "copy-arcface", null));
            shadowed.add(verify(a, b, null, "subject-" + i));
        }
        double[] handoff = stats.handoffMicros();
        double dropped = registry.find("faceoff.shadow.dropped").tag("experiment", "losses").tag("model", "copy-softmax")
                .counter().count();
        System.out.printf("shadow: primary median %.1f ms with a 5 s shadow vs %.1f ms without (max %.1f ms); "
                        + "hand-off p50 %.1f µs, p99 %.1f µs, max %.1f µs over %d; %d dropped%n",
                median(shadowed), median(plain), shadowed.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                Quantiles.of(handoff, 0.5), Quantiles.of(handoff, 0.99), Quantiles.of(handoff, 1.0), handoff.length,
                (long) dropped);
        assertThat(shadowed).allSatisfy(ms -> assertThat(ms).isLessThan(DELAY_MS / 2.0));
        assertThat(median(shadowed)).isLessThan(median(plain) * 1.5 + 25);
        assertThat(Quantiles.of(handoff, 0.99)).as("hand-off p99, µs").isLessThan(5_000);
        // the first comparison is on the worker, two wait in the queue, the other five are dropped
        assertThat(dropped).isEqualTo(5.0);
        assertThat(stats.shadow("losses", "arcface", "copy-softmax").dropped.sum()
                + stats.shadow("losses", "cosface", "copy-softmax").dropped.sum()).isEqualTo(5);
    }

    private double verify(byte[] a, byte[] b, String model, String subject) {
        var keys = new RequestKeys(subject == null ? Map.of() : Map.of("x-subject-id", subject), Map.of());
        long start = System.nanoTime();
        var result = service.verify(new VerificationService.Request(a, b, model, null, null, null, keys), new RequestScope());
        double ms = (System.nanoTime() - start) / 1e6;
        assertThat(result.match()).isTrue();
        assertThat(result.routing().assignment()).isEqualTo(model == null ? "sticky" : "override");
        return ms;
    }

    private static double median(List<Double> values) {
        return Quantiles.of(values.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
    }
}
