package dev.faceoff.verification;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

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
import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.system.RequestScope;
import dev.faceoff.system.Admission;
import dev.faceoff.system.LimitsProperties;
import dev.faceoff.common.Deadline;

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
    private final Admission admission;
    private final LimitsProperties limits;

    VerificationService(FacePipeline pipeline, EmbeddingModel embedder, Router router, ModelRepository models,
                        DecisionProperties decision, DetectionProperties detection, FaceoffMetrics metrics,
                        ExperimentTracker tracker, Admission admission, LimitsProperties limits) {
        this.limits = limits;
        this.admission = admission;
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
        Embedded e = prepareAndEmbed(model, List.of(request.image1(), request.image2()), List.of("image1", "image2"),
                selection, minQuality, scope, timings);
        PreparedFace first = e.faces().get(0);
        PreparedFace second = e.faces().get(1);
        List<float[]> embeddings = e.embeddings();

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

    /** A one-to-many request, parsed: one probe, its candidates in order. */
    public record CompareRequest(byte[] probe, List<byte[]> candidates, String model, Double far, String select,
                                 Double minQuality, RequestKeys keys) {
    }

    /**
     * One probe against several candidates: the probe's face found and embedded once, every candidate's face
     * found, and all embedded in one batched run; each candidate decided at the threshold like a verification
     * (its own verification id for feedback), or given its own error code without failing the others. The
     * probe's failure fails the request.
     */
    public ComparisonResult compare(CompareRequest request, RequestScope scope) {
        int n = request.candidates().size();
        if (n == 0) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "at least one candidate is needed");
        }
        if (n > limits.maxCandidates()) {
            throw new FaceoffException(ErrorCode.TOO_MANY_CANDIDATES, n + " candidates; at most "
                    + limits.maxCandidates() + " (faceoff.limits.max-candidates)");
        }
        long start = System.nanoTime();
        double far = request.far() == null ? decision.far() : request.far();
        FaceSelection selection = request.select() == null ? detection.select() : FaceSelection.parse(request.select());
        Assignment assignment = router.assign(request.model(), request.keys());
        LoadedModel model = assignment.model();
        ModelManifest.Threshold threshold = Thresholds.at(model.manifest(), far);
        scope.assigned(variantOf(assignment));
        double minQuality = minQuality(request.minQuality());
        Deadline deadline = scope.deadline();
        StageTimings timings = new StageTimings();

        PreparedFace probe;
        var faces = new ArrayList<PreparedFace>(n);
        var errors = new ArrayList<FaceoffException>(n);
        List<float[]> embeddings;
        try (var worker = admission.enter(deadline)) {
            var images = new ArrayList<byte[]>(n + 1);
            images.add(request.probe());
            images.addAll(request.candidates());
            try (var memory = admission.reserveDecoded(images, scope.held())) {
                deadline.check("decoding the probe");
                probe = pipeline.prepare(request.probe(), selection, "probe", timings);
                gate(probe, "probe", minQuality);
                for (int i = 0; i < n; i++) {
                    deadline.check("decoding candidate " + i);
                    String which = "candidates[" + i + "]";
                    try {
                        PreparedFace face = pipeline.prepare(request.candidates().get(i), selection, which, timings);
                        gate(face, which, minQuality);
                        faces.add(face);
                        errors.add(null);
                    } catch (FaceoffException e) {
                        if (e.code().status().is5xxServerError()) {
                            throw e;   // overload, shutdown, deadline: the request's, not the candidate's
                        }
                        faces.add(null);
                        errors.add(e);
                    }
                }
            }
            recordQuality(model.name(), probe.quality());
            faces.stream().filter(java.util.Objects::nonNull).forEach(f -> recordQuality(model.name(), f.quality()));
            deadline.check("embedding");
            var crops = new ArrayList<AlignedFace>();
            crops.add(probe.aligned());
            faces.stream().filter(java.util.Objects::nonNull).forEach(f -> crops.add(f.aligned()));
            long t = timings.start();
            embeddings = embedder.embed(model, crops);
            timings.stop(Stage.EMBED, t);
            recordStages(timings, model);
        }

        var candidates = new ArrayList<ComparisonResult.Candidate>(n);
        Integer best = null;
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        int next = 1;
        for (int i = 0; i < n; i++) {
            PreparedFace face = faces.get(i);
            if (face == null) {
                FaceoffException e = errors.get(i);
                candidates.add(new ComparisonResult.Candidate(i, null, null, null, null, new ComparisonResult.CandidateError(
                        e.code().code(), e.code().status().value(), e.getMessage())));
                continue;
            }
            double similarity = Vectors.cosine(embeddings.get(0), embeddings.get(next++));
            boolean match = similarity >= threshold.cosine();
            metrics.similarity(scope.variant(), "primary", similarity);
            metrics.decision(scope.variant(), match);
            String id = UUID.randomUUID().toString();
            tracker.verified(new ExperimentTracker.Verified(id, assignment, far, similarity, match, System.nanoTime() - start),
                    List.of(probe.aligned(), face.aligned()));
            if (match && similarity > bestSimilarity) {
                best = i;
                bestSimilarity = similarity;
            }
            candidates.add(new ComparisonResult.Candidate(i, id, match, round(similarity), VerificationResult.Face.of(face), null));
        }
        ModelManifest m = model.manifest();
        return new ComparisonResult(threshold.cosine(), far, new VerificationResult.ModelRef(m.name(), m.version(), m.loss()),
                new VerificationResult.RoutingRef(assignment.experiment(), assignment.variant(), assignment.how().label()),
                VerificationResult.Face.of(probe), candidates, best, timings.millis());
    }

    public EmbeddingResult embed(byte[] image, String modelName, String select, Double minQuality, RequestScope scope) {
        FaceSelection selection = select == null ? detection.select() : FaceSelection.parse(select);
        // never an experiment: a client keeping embeddings needs one model's vectors, not a random variant's
        Assignment assignment = router.assignWithoutExperiment(modelName);
        LoadedModel model = assignment.model();
        scope.assigned(variantOf(assignment));
        StageTimings timings = new StageTimings();
        Embedded e = prepareAndEmbed(model, List.of(image), List.of("image"), selection, minQuality(minQuality),
                scope, timings);
        PreparedFace face = e.faces().get(0);
        float[] embedding = e.embeddings().get(0);
        ModelManifest m = model.manifest();
        return new EmbeddingResult(new VerificationResult.ModelRef(m.name(), m.version(), m.loss()),
                embedding.length, embedding, VerificationResult.Face.of(face), timings.millis());
    }

    /** The faces of a request, prepared and embedded. */
    private record Embedded(List<PreparedFace> faces, List<float[]> embeddings) {
    }

    /**
     * Prepares each image's face and embeds them all in one run, holding one worker ({@link Admission}) and,
     * while the images are decoded, the memory their pixels take; abandons the work once the deadline passes.
     */
    private Embedded prepareAndEmbed(LoadedModel model, List<byte[]> images, List<String> names, FaceSelection selection,
                                     double minQuality, RequestScope scope, StageTimings timings) {
        Deadline deadline = scope.deadline();
        try (var worker = admission.enter(deadline)) {
            List<PreparedFace> faces;
            try (var memory = admission.reserveDecoded(images, scope.held())) {
                faces = prepareAll(images, names, selection, deadline, timings);
            }
            faces.forEach(face -> recordQuality(model.name(), face.quality()));
            for (int i = 0; i < faces.size(); i++) {
                gate(faces.get(i), names.get(i), minQuality);
            }
            deadline.check("embedding");
            long t = timings.start();
            List<float[]> embeddings = embedder.embed(model, faces.stream().map(PreparedFace::aligned).toList());
            timings.stop(Stage.EMBED, t);
            recordStages(timings, model);
            return new Embedded(faces, embeddings);
        }
    }

    /**
     * Each image's face, in order. With {@code faceoff.limits.parallel-images}, the second image of a pair is
     * prepared on a spare worker ({@link Admission#onSpareWorker}), if one is idle, while this thread prepares the
     * first; this thread waits for it either way, and the first image's error wins (the order of the serial path).
     */
    private List<PreparedFace> prepareAll(List<byte[]> images, List<String> names, FaceSelection selection,
                                          Deadline deadline, StageTimings timings) {
        var second = new StageTimings();
        Optional<Future<PreparedFace>> other = images.size() == 2 ? admission.onSpareWorker(() -> {
            deadline.check("decoding " + names.get(1));
            return pipeline.prepare(images.get(1), selection, names.get(1), second);
        }) : Optional.empty();
        if (other.isEmpty()) {
            var faces = new ArrayList<PreparedFace>(images.size());
            for (int i = 0; i < images.size(); i++) {
                deadline.check("decoding " + names.get(i));
                faces.add(pipeline.prepare(images.get(i), selection, names.get(i), timings));
            }
            return faces;
        }
        PreparedFace first;
        try {
            deadline.check("decoding " + names.get(0));
            first = pipeline.prepare(images.get(0), selection, names.get(0), timings);
        } catch (RuntimeException e) {
            try {
                await(other.get());   // its pixels stay reserved until it is done
            } catch (RuntimeException ignored) {
                // the first image's error is the answer
            }
            throw e;
        }
        PreparedFace face = await(other.get());
        second.nanos().forEach(timings::add);
        return List.of(first, face);
    }

    /** The helper's face, or its exception as thrown. */
    private static PreparedFace await(Future<PreparedFace> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FaceoffException(ErrorCode.DEADLINE_EXCEEDED, "interrupted while preparing the images");
        }
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

    private void recordQuality(String model, FaceQuality q) {
        metrics.quality(model, q.score(), q.yawDeg(), q.interEyePx());
    }
}
