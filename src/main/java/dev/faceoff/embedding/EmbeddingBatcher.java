package dev.faceoff.embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRunner;

/**
 * The embedding micro-batcher ({@code faceoff.batching.*}): concurrent requests hand their faces' input rows to
 * one lane per model; the lane's thread takes the first, waits at most {@code max-delay} for more (up to
 * {@code max-faces}), runs them through one session run and hands each request its rows of the output.
 * Used only for models with a dynamic batch axis on a provider where it is on ({@link BatchingProperties}).
 * A failed run fails every request of its batch with the same exception. The lanes' threads are daemons that
 * outlive the context harmlessly: after shutdown a run fails {@code shutting_down} at the session gate, like
 * any other.
 */
@Component
public final class EmbeddingBatcher {

    /** One request's faces: {@code faces} rows of the model's input, flattened. */
    private record Job(float[] input, int faces, CompletableFuture<float[]> output) {
    }

    private final ModelRunner runner;
    private final BatchingProperties properties;
    private final DistributionSummary batchFaces;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    EmbeddingBatcher(ModelRunner runner, BatchingProperties properties, MeterRegistry meters) {
        this.runner = runner;
        this.properties = properties;
        this.batchFaces = DistributionSummary.builder("faceoff.embedding.batch.faces")
                .description("faces per embedding session run of the micro-batcher").register(meters);
    }

    /** Whether this model's runs go through the batcher. */
    boolean batches(LoadedModel model) {
        return model.dynamicBatch() && properties.batches(model.provider());
    }

    /** The model's output for these rows ({@code faces} × dim), run together with other requests' rows. */
    float[] run(LoadedModel model, float[] input, int faces) {
        var job = new Job(input, faces, new CompletableFuture<>());
        lanes.computeIfAbsent(model.name(), name -> new Lane(model)).queue.add(job);
        try {
            return job.output.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedding batch", e);
        } catch (ExecutionException e) {
            // the lane's exception, rethrown on each request's thread (a FaceoffException keeps its code)
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private float[] runAlone(LoadedModel model, float[] input, int faces) {
        var shape = model.manifest().input();
        return runner.run(model, input, shape.shape(faces))
                .get(model.manifest().output().name());
    }

    /** One model's queue and the thread that empties it. */
    private final class Lane implements Runnable {

        final LoadedModel model;
        final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
        Job carried;

        Lane(LoadedModel model) {
            this.model = model;
            var thread = new Thread(this, "embedding-batch-" + model.name());
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    runTogether(collect());
                } catch (InterruptedException e) {
                    // nobody interrupts a lane; carry on serving the queue
                }
            }
        }

        /** The first waiting job, then whatever arrives within max-delay, up to max-faces. */
        private List<Job> collect() throws InterruptedException {
            Job first = carried != null ? carried : queue.take();
            carried = null;
            var batch = new ArrayList<Job>();
            batch.add(first);
            int faces = first.faces;
            long until = System.nanoTime() + properties.maxDelay().toNanos();
            while (faces < properties.maxFaces()) {
                Job next = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
                if (faces + next.faces > properties.maxFaces()) {
                    carried = next;
                    break;
                }
                batch.add(next);
                faces += next.faces;
            }
            return batch;
        }

        private void runTogether(List<Job> batch) {
            ModelManifest manifest = model.manifest();
            int faces = batch.stream().mapToInt(Job::faces).sum();
            int row = manifest.input().channels() * manifest.input().height() * manifest.input().width();
            int dim = manifest.output().dim();
            try {
                float[] input = batch.size() == 1 ? batch.get(0).input : new float[faces * row];
                if (batch.size() > 1) {
                    int at = 0;
                    for (Job job : batch) {
                        System.arraycopy(job.input, 0, input, at, job.input.length);
                        at += job.input.length;
                    }
                }
                float[] output = runAlone(model, input, faces);
                batchFaces.record(faces);
                int at = 0;
                for (Job job : batch) {
                    var mine = new float[job.faces * dim];
                    System.arraycopy(output, at, mine, 0, mine.length);
                    at += mine.length;
                    job.output.complete(mine);
                }
            } catch (Throwable e) {   // every waiting request gets an answer, and the lane lives on
                batch.forEach(job -> job.output.completeExceptionally(e));
            }
        }
    }
}
