package dev.faceoff.experiment;

import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.system.FaceoffMetrics;

/**
 * Shadow comparisons: each shadow model embeds the primary's aligned faces on the shadow worker, decides
 * with its own threshold at the request's FAR (a pair), or against the gallery with its own templates (a probe,
 * {@link ExperimentTracker.ProbeReference}), and is compared with the primary's decision. The request only pays for
 * queueing; results go to metrics and the report, never to the response.
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

    /**
     * Queues one decision per shadow model of a probe the primary decided against the gallery; a full queue drops
     * it (counted). Returns at once.
     */
    void submitProbe(List<LoadedModel> shadows, Primary primary, AlignedFace probe, ExperimentTracker.ProbeReference reference) {
        long start = System.nanoTime();
        for (LoadedModel shadow : shadows) {
            if (!executor.offer(() -> decide(shadow, primary, probe, reference))) {
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
        boolean match = similarity >= threshold;
        recorded(shadow, primary, similarity, match, match == primary.match(), System.nanoTime() - start);
    }

    /** Nothing recorded when the shadow cannot decide (no templates of it, no calibration, the store unavailable). */
    private void decide(LoadedModel shadow, Primary primary, AlignedFace probe, ExperimentTracker.ProbeReference reference) {
        long start = System.nanoTime();
        float[] embedding = embedder.embed(shadow, List.of(probe)).get(0);
        Optional<ExperimentTracker.ShadowDecision> decided;
        try {
            decided = reference.decide(shadow, embedding);
        } catch (FaceoffException e) {
            return;
        }
        decided.ifPresent(d -> recorded(shadow, primary, d.similarity(), d.match(),
                d.match() == primary.match() && d.named().equals(reference.named()), System.nanoTime() - start));
    }

    private void recorded(LoadedModel shadow, Primary primary, double similarity, boolean match, boolean agree, long nanos) {
        String loss = shadow.manifest().loss();
        metrics.similarity(new FaceoffMetrics.Variant(shadow.name(), loss, primary.experiment(), primary.variant()),
                "shadow", similarity);
        metrics.shadowComparison(primary.experiment(), shadow.name(), loss, primary.model().name(), agree);
        metrics.shadowSeconds(primary.experiment(), shadow.name(), nanos);
        stats.shadowCompared(primary.experiment(), primary.variant(), shadow.name(), similarity, match, agree, nanos);
    }
}
