package dev.faceoff.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faceoff.SharedData;
import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoader;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.OnnxRuntime;
import dev.faceoff.model.RuntimeProperties;
import dev.faceoff.model.RuntimeProperties.Provider;

/** The micro-batcher on a real trained model: concurrent requests share runs and each gets its own rows. */
class EmbeddingBatcherTest {

    static OnnxRuntime runtime;
    static LoadedModel model;

    @BeforeAll
    static void load() {
        var folder = SharedData.require(SharedData.models().resolve("contrastive-mfn64-aug"), "the trained contrastive-mfn64-aug model");
        runtime = new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
        model = new ModelLoader(runtime).load(folder);
    }

    @AfterAll
    static void close() throws Exception {
        if (model != null) {
            model.session().close();
        }
    }

    @Test
    void concurrentRequestsShareRunsAndEachGetsItsOwnRows() throws Exception {
        var meters = new SimpleMeterRegistry();
        var runner = new ModelRunner(runtime);
        var batcher = new EmbeddingBatcher(runner, new BatchingProperties(BatchingProperties.Mode.ON, 8,
                Duration.ofMillis(200)), meters);
        var alone = new EmbeddingModel(runner, off(runner));
        var batched = new EmbeddingModel(runner, batcher);
        assertThat(batcher.batches(model)).isTrue();

        int requests = 6;
        List<List<AlignedFace>> pairs = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            pairs.add(List.of(face(2 * r), face(2 * r + 1)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            var start = new CountDownLatch(1);
            var answers = new ArrayList<Future<List<float[]>>>();
            for (List<AlignedFace> pair : pairs) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return batched.embed(model, pair, false);
                }));
            }
            start.countDown();
            for (int r = 0; r < requests; r++) {
                List<float[]> expected = alone.embed(model, pairs.get(r), false);
                List<float[]> got = answers.get(r).get();
                assertThat(Vectors.cosine(expected.get(0), expected.get(1))).as("distinct faces, so a swap would show")
                        .isLessThan(0.999);
                for (int f = 0; f < 2; f++) {
                    assertThat(Vectors.cosine(got.get(f), expected.get(f))).as("request %d face %d", r, f).isGreaterThan(0.99999);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        var summary = meters.get("faceoff.embedding.batch.faces").summary();
        assertThat(summary.totalAmount()).isEqualTo(2.0 * requests);
        assertThat(summary.max()).as("some requests shared a run, none beyond max-faces").isGreaterThan(2).isLessThanOrEqualTo(8);
        assertThat(summary.count()).as("fewer runs than requests").isLessThan(requests);
    }

    @Test
    void aFailedRunFailsItsRequestsAndTheLaneServesTheNext() {
        var runner = new ModelRunner(runtime);
        var batcher = new EmbeddingBatcher(runner, new BatchingProperties(BatchingProperties.Mode.ON, 8,
                Duration.ofMillis(1)), new SimpleMeterRegistry());
        assertThatThrownBy(() -> batcher.run(model, new float[10], 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(model.name());
        var embedder = new EmbeddingModel(runner, batcher);
        assertThat(embedder.embed(model, List.of(face(0)), false).get(0)).hasSize(model.manifest().output().dim());
    }

    @Test
    void autoBatchesOnCudaOnly() {
        var auto = new BatchingProperties(BatchingProperties.Mode.AUTO, 32, Duration.ofMillis(2));
        assertThat(auto.batches("cuda")).isTrue();
        assertThat(auto.batches("cpu")).isFalse();
        assertThat(new BatchingProperties(BatchingProperties.Mode.ON, 32, Duration.ofMillis(2)).batches("cpu")).isTrue();
        assertThat(new BatchingProperties(BatchingProperties.Mode.OFF, 32, Duration.ofMillis(2)).batches("cuda")).isFalse();
    }

    static EmbeddingBatcher off(ModelRunner runner) {
        return new EmbeddingBatcher(runner, new BatchingProperties(BatchingProperties.Mode.OFF, 32, Duration.ofMillis(2)),
                new SimpleMeterRegistry());
    }

    /** A different smooth pattern for each index: distinct inputs, so swapped rows would show. */
    private static AlignedFace face(int index) {
        int s = AlignedFace.SIZE;
        byte[] bgr = new byte[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                for (int c = 0; c < 3; c++) {
                    bgr[(y * s + x) * 3 + c] = (byte) (128 + 100 * Math.sin((x + 7 * index) / (5.0 + index) + c)
                            * Math.cos((y - 3 * index) / (9.0 + c)));
                }
            }
        }
        return new AlignedFace(bgr, s);
    }
}
