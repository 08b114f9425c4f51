package dev.faceoff.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.system.FaceoffMetrics;

/**
 * Shadow comparisons: each shadow model embeds the primary's aligned faces on the shadow worker, decides
 * with its own threshold at the request's FAR, and is compared with the primary's decision. The request
 * only pays for queueing; results go to metrics and the report, never to the response.
 */
@Component
final class ShadowRunner {

    private final EmbeddingModel embedder;
    private final ShadowExecutor executor;
    private final ExperimentStats stats;
    private final FaceoffMetrics metrics;

    ShadowRunner(EmbeddingModel embedder, ShadowExecutor executor, ExperimentStats stats, FaceoffMetrics metrics) {
        this.embedder = embedder;
        this.executor = executor;
        this.stats = stats;
        this.metrics = metrics;
    }

    /** What the primary decided, for the shadows to be compared with. */
    record Primary(String experiment, String variant, LoadedModel model, double far, boolean match) {
    }

    /** Queues one comparison per shadow model; a full queue drops it (counted). Returns at once. */
    void submit(List<LoadedModel> shadows, Primary primary, List<AlignedFace> faces) {
        long start = System.nanoTime();
        for (LoadedModel shadow : shadows) {
            Optional<Double> threshold = shadow.manifest().thresholdAt(primary.far()).map(ModelManifest.Threshold::cosine);
            if (threshold.isEmpty()) {
                continue;   // a FAR the shadow is not calibrated at: nothing to compare
            }
            if (!executor.offer(() -> compare(shadow, threshold.get(), primary, faces))) {
                metrics.shadowDropped(primary.experiment(), shadow.name());
                stats.shadowDropped(primary.experiment(), primary.variant(), shadow.name());
            }
        }
        stats.handoff(System.nanoTime() - start);
    }

    private void compare(LoadedModel shadow, double threshold, Primary primary, List<AlignedFace> faces) {
        long start = System.nanoTime();
        List<float[]> embeddings = embedder.embed(shadow, faces);
        double similarity = Vectors.cosine(embeddings.get(0), embeddings.get(1));
        long nanos = System.nanoTime() - start;
        boolean match = similarity >= threshold;
        boolean agree = match == primary.match();
        String loss = shadow.manifest().loss();
        metrics.similarity(new FaceoffMetrics.Variant(shadow.name(), loss, primary.experiment(), primary.variant()),
                "shadow", similarity);
        metrics.shadowComparison(primary.experiment(), shadow.name(), loss, primary.model().name(), agree);
        metrics.shadowSeconds(primary.experiment(), shadow.name(), nanos);
        stats.shadowCompared(primary.experiment(), primary.variant(), shadow.name(), similarity, match, agree, nanos);
    }
}
