package dev.faceoff.verification;

import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.routing.Assignment;
import dev.faceoff.routing.ExperimentTracker;
import dev.faceoff.routing.RequestKeys;
import dev.faceoff.routing.Router;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.common.StageTimings.Stage;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.system.RequestScope;

/**
 * Verification: prepare both faces, embed them in one run with the routed model, cosine similarity,
 * decide against the model's threshold calibrated at the requested false-accept rate.
 */
@Service
public final class VerificationService {

    private final FacePipeline pipeline;
    private final EmbeddingModel embedder;
    private final Router router;
    private final ModelRepository models;
    private final DecisionProperties decision;
    private final DetectionProperties detection;
    private final FaceoffMetrics metrics;
    private final ExperimentTracker tracker;

    VerificationService(FacePipeline pipeline, EmbeddingModel embedder, Router router, ModelRepository models,
                        DecisionProperties decision, DetectionProperties detection, FaceoffMetrics metrics,
                        ExperimentTracker tracker) {
        this.pipeline = pipeline;
        this.embedder = embedder;
        this.router = router;
        this.models = models;
        this.decision = decision;
        this.detection = detection;
        this.metrics = metrics;
        this.tracker = tracker;
    }

    /** A verification request, parsed. */
    public record Request(byte[] image1, byte[] image2, String model, Double far, String select, Double minQuality,
                          RequestKeys keys) {
    }

    public VerificationResult verify(Request request, RequestScope scope) {
        long start = System.nanoTime();
        double far = request.far() == null ? decision.far() : request.far();
        FaceSelection selection = request.select() == null ? detection.select() : FaceSelection.parse(request.select());
        Assignment assignment = router.assign(request.model(), request.keys());
        LoadedModel model = assignment.model();
        ModelManifest.Threshold threshold = Thresholds.at(model.manifest(), far);
        scope.assigned(variantOf(assignment));

        StageTimings timings = new StageTimings();
        double minQuality = minQuality(request.minQuality());
        PreparedFace first = pipeline.prepare(request.image1(), selection, "image1", timings);
        PreparedFace second = pipeline.prepare(request.image2(), selection, "image2", timings);
        metrics.quality(model.name(), first.quality());
        metrics.quality(model.name(), second.quality());
        gate(first, "image1", minQuality);
        gate(second, "image2", minQuality);
        long t = timings.start();
        List<float[]> embeddings = embedder.embed(model, List.of(first.aligned(), second.aligned()));
        timings.stop(Stage.EMBED, t);
        recordStages(timings, model);

        double similarity = Vectors.cosine(embeddings.get(0), embeddings.get(1));
        boolean match = similarity >= threshold.cosine();
        metrics.similarity(scope.variant(), "primary", similarity);
        metrics.decision(scope.variant(), match);
        String id = UUID.randomUUID().toString();
        // records the decision for feedback and the report; shadow models get the aligned faces, off this thread
        tracker.verified(new ExperimentTracker.Verified(id, assignment, far, similarity, match, System.nanoTime() - start),
                List.of(first.aligned(), second.aligned()));
        ModelManifest m = model.manifest();
        return new VerificationResult(id, match, round(similarity),
                threshold.cosine(), far, new VerificationResult.ModelRef(m.name(), m.version(), m.loss()),
                new VerificationResult.RoutingRef(assignment.experiment(), assignment.variant(), assignment.how().label()),
                List.of(VerificationResult.Face.of(first), VerificationResult.Face.of(second)), timings.millis());
    }

    public EmbeddingResult embed(byte[] image, String modelName, String select, Double minQuality, RequestScope scope) {
        FaceSelection selection = select == null ? detection.select() : FaceSelection.parse(select);
        // never an experiment: a client keeping embeddings needs one model's vectors, not a random variant's
        Assignment assignment = router.assignWithoutExperiment(modelName);
        LoadedModel model = assignment.model();
        scope.assigned(variantOf(assignment));
        StageTimings timings = new StageTimings();
        PreparedFace face = pipeline.prepare(image, selection, "image", timings);
        metrics.quality(model.name(), face.quality());
        gate(face, "image", minQuality(minQuality));
        long t = timings.start();
        float[] embedding = embedder.embed(model, List.of(face.aligned())).get(0);
        timings.stop(Stage.EMBED, t);
        recordStages(timings, model);
        ModelManifest m = model.manifest();
        return new EmbeddingResult(new VerificationResult.ModelRef(m.name(), m.version(), m.loss()),
                embedding.length, embedding, VerificationResult.Face.of(face), timings.millis());
    }

    private double minQuality(Double requested) {
        if (requested == null) {
            return decision.minQuality();
        }
        if (requested < 0 || requested > 1) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "min_quality must be within [0, 1]; got " + requested);
        }
        return requested;
    }

    /** Refuses a face whose quality score is below {@code min}, naming its weakest measure. */
    static void gate(PreparedFace face, String which, double min) {
        FaceQuality q = face.quality();
        if (min > 0 && q.score() < min) {
            throw new FaceoffException(ErrorCode.LOW_QUALITY, String.format(java.util.Locale.ROOT,
                    "%s: face quality %.3f is below min_quality %.3f; weakest measure: %s (yaw %.0f°, inter-eye %.0f px, "
                            + "sharpness %.0f, brightness %.0f, detector score %.2f)", which, q.score(), min, q.weakest(),
                    q.yawDeg(), q.interEyePx(), q.sharpness(), q.brightness(), q.detectorScore()));
        }
    }

    private void recordStages(StageTimings timings, LoadedModel embedding) {
        timings.nanos().forEach((stage, nanos) -> metrics.stage(stage, switch (stage) {
            case DETECT -> models.detector().name();
            case LANDMARKS -> models.landmarks().map(LoadedModel::name).orElse("none");
            case EMBED -> embedding.name();
            case DECODE, ALIGN -> "none";
        }, nanos));
    }

    static FaceoffMetrics.Variant variantOf(Assignment a) {
        return new FaceoffMetrics.Variant(a.model().name(), a.model().manifest().loss(), a.experiment(), a.variant());
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
