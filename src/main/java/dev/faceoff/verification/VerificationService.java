package dev.faceoff.verification;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.springframework.stereotype.Service;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.common.StageTimings.Stage;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.experiment.Assignment;
import dev.faceoff.experiment.ExperimentTracker;
import dev.faceoff.experiment.RequestKeys;
import dev.faceoff.experiment.Router;
import dev.faceoff.system.Admission;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.LimitsProperties;
import dev.faceoff.system.RequestScope;

/**
 * Verification: prepare the faces, embed them in one run with the routed model, cosine similarity, decide
 * against the model's threshold calibrated at the requested false-accept rate. {@code verify} (a pair),
 * {@code compare} (a probe and its candidates) and {@code embed} (one face) take one routing decision
 * ({@link Route}) and go through one loop that prepares and embeds ({@link #prepareAndEmbed}); what differs is
 * what an image's error does ({@link OnError}).
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
        this.pipeline = pipeline;
        this.embedder = embedder;
        this.router = router;
        this.models = models;
        this.decision = decision;
        this.detection = detection;
        this.metrics = metrics;
        this.tracker = tracker;
        this.admission = admission;
        this.limits = limits;
    }

    /** A verification request, parsed. */
    public record Request(byte[] image1, byte[] image2, String model, Double far, String select, Double minQuality,
                          RequestKeys keys) {
    }

    /** A one-to-many request, parsed: one probe, its candidates in order. */
    public record CompareRequest(byte[] probe, List<byte[]> candidates, String model, Double far, String select,
                                 Double minQuality, RequestKeys keys) {
    }

    /**
     * How a request is answered: the model routing chose ({@code assignment}), its threshold calibrated at
     * {@code far}, which face of an image ({@code selection}) and the quality gate ({@code minQuality}).
     */
    private record Route(Assignment assignment, double far, ModelManifest.Threshold threshold, FaceSelection selection,
                         double minQuality) {

        LoadedModel model() {
            return assignment.model();
        }

        VerificationResult.ModelRef modelRef() {
            ModelManifest m = model().manifest();
            return new VerificationResult.ModelRef(m.name(), m.version(), m.loss());
        }

        VerificationResult.RoutingRef routingRef() {
            return new VerificationResult.RoutingRef(assignment.experiment(), assignment.variant(), assignment.how().label());
        }

        boolean matches(double similarity) {
            return similarity >= threshold.cosine();
        }
    }

    /**
     * The request's route, checked in this order: the face choice, the model ({@code assign}: 404 for an unknown
     * one), its threshold at {@code far} (the default: {@code faceoff.decision.far}, which every served model
     * holds), the quality gate; the request's metrics are tagged with the model from here on.
     */
    private Route route(String select, Supplier<Assignment> assign, Double far, Double minQuality, RequestScope scope) {
        FaceSelection selection = select == null ? detection.select() : FaceSelection.parse(select);
        Assignment assignment = assign.get();
        double at = far == null ? decision.far() : far;
        ModelManifest.Threshold threshold = Thresholds.at(assignment.model().manifest(), at);
        scope.assigned(variantOf(assignment));
        return new Route(assignment, at, threshold, selection, minQuality(minQuality));
    }

    public VerificationResult verify(Request request, RequestScope scope) {
        long start = System.nanoTime();
        Route route = route(request.select(), () -> router.assign(request.model(), request.keys()), request.far(),
                request.minQuality(), scope);
        StageTimings timings = new StageTimings();
        Embedded e = prepareAndEmbed(route, List.of(new Image("image1", request.image1(), OnError.FAIL_REQUEST),
                new Image("image2", request.image2(), OnError.FAIL_REQUEST)), scope, timings);
        PreparedFace first = e.face(0);
        PreparedFace second = e.face(1);
        double similarity = Vectors.cosine(e.embeddings().get(0), e.embeddings().get(1));
        String id = decided(route, similarity, first, second, scope, start);
        return new VerificationResult(id, route.matches(similarity), round(similarity),
                route.threshold().cosine(), route.far(), route.modelRef(), route.routingRef(),
                List.of(VerificationResult.Face.of(first), VerificationResult.Face.of(second)), timings.millis());
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
        Route route = route(request.select(), () -> router.assign(request.model(), request.keys()), request.far(),
                request.minQuality(), scope);
        StageTimings timings = new StageTimings();
        var images = new ArrayList<Image>(n + 1);
        images.add(new Image("probe", request.probe(), OnError.FAIL_REQUEST));
        for (int i = 0; i < n; i++) {
            images.add(new Image("candidates[" + i + "]", request.candidates().get(i), OnError.KEEP));
        }
        Embedded e = prepareAndEmbed(route, images, scope, timings);

        PreparedFace probe = e.face(0);
        var candidates = new ArrayList<ComparisonResult.Candidate>(n);
        Integer best = null;
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        int next = 1;
        for (int i = 0; i < n; i++) {
            Outcome outcome = e.outcomes().get(i + 1);
            if (outcome instanceof Failed failed) {
                FaceoffException error = failed.error();
                candidates.add(new ComparisonResult.Candidate(i, null, null, null, null, new ComparisonResult.CandidateError(
                        error.code().code(), error.code().status().value(), error.getMessage())));
                continue;
            }
            PreparedFace face = ((Prepared) outcome).face();
            double similarity = Vectors.cosine(e.embeddings().get(0), e.embeddings().get(next++));
            boolean match = route.matches(similarity);
            String id = decided(route, similarity, probe, face, scope, start);
            if (match && similarity > bestSimilarity) {
                best = i;
                bestSimilarity = similarity;
            }
            candidates.add(new ComparisonResult.Candidate(i, id, match, round(similarity), VerificationResult.Face.of(face), null));
        }
        return new ComparisonResult(route.threshold().cosine(), route.far(), route.modelRef(), route.routingRef(),
                VerificationResult.Face.of(probe), candidates, best, timings.millis());
    }

    public EmbeddingResult embed(byte[] image, String modelName, String select, Double minQuality, RequestScope scope) {
        // never an experiment: a client keeping embeddings needs one model's vectors, not a random variant's
        Route route = route(select, () -> router.assignWithoutExperiment(modelName), null, minQuality, scope);
        StageTimings timings = new StageTimings();
        Embedded e = prepareAndEmbed(route, List.of(new Image("image", image, OnError.FAIL_REQUEST)), scope, timings);
        float[] embedding = e.embeddings().get(0);
        return new EmbeddingResult(route.modelRef(), embedding.length, embedding, VerificationResult.Face.of(e.face(0)),
                timings.millis());
    }

    /**
     * One pair decided at the route's threshold: its similarity and decision in the metrics, and the decision
     * recorded for feedback and the report, the aligned faces handed to the shadow models (off this thread).
     * Returns the verification id.
     */
    private String decided(Route route, double similarity, PreparedFace first, PreparedFace second, RequestScope scope,
                           long start) {
        boolean match = route.matches(similarity);
        metrics.similarity(scope.variant(), "primary", similarity);
        metrics.decision(scope.variant(), match);
        String id = UUID.randomUUID().toString();
        tracker.verified(new ExperimentTracker.Verified(id, route.assignment(), route.far(), similarity, match,
                System.nanoTime() - start), List.of(first.aligned(), second.aligned()));
        return id;
    }

    /** What an image's error does: fail the request (verify, embed, a probe), or stay the image's own answer (a candidate). */
    private enum OnError { FAIL_REQUEST, KEEP }

    /** One image of a request: its field name (in error details), its bytes, what its error does. */
    private record Image(String name, byte[] bytes, OnError onError) {
    }

    /** What became of one image: its face, or the error it is answered with. */
    private sealed interface Outcome permits Prepared, Failed {
    }

    /** Its face, found, aligned and measured (and, once gated, let through). */
    private record Prepared(PreparedFace face) implements Outcome {
    }

    /** An image's error, kept ({@link OnError#KEEP}): a client error, never the request's overload or deadline. */
    private record Failed(FaceoffException error) implements Outcome {
    }

    /** A request's images: one outcome each, in order, and the embeddings of the prepared faces, in the same order. */
    private record Embedded(List<Outcome> outcomes, List<float[]> embeddings) {

        /** The face of image {@code i}, one whose error fails the request. */
        PreparedFace face(int i) {
            if (outcomes.get(i) instanceof Prepared prepared) {
                return prepared.face();
            }
            throw new IllegalStateException("image " + i + " has no face");
        }
    }

    /**
     * Prepares each image's face, lets it through the quality gate and embeds the faces in one run, holding one
     * worker ({@link Admission}) and, while the images are decoded, the memory their pixels take; abandons the
     * work once the deadline passes. Every image is prepared before any is gated: a preparation error fails the
     * request (when its image's does) before a quality refusal does.
     */
    private Embedded prepareAndEmbed(Route route, List<Image> images, RequestScope scope, StageTimings timings) {
        Deadline deadline = scope.deadline();
        try (var worker = admission.enter(deadline, scope.place())) {
            List<Outcome> prepared;
            try (var memory = admission.reserveDecoded(images.stream().map(Image::bytes).toList(), scope.held())) {
                prepared = prepareAll(route, images, deadline, timings);
            }
            var outcomes = new ArrayList<Outcome>(images.size());
            var crops = new ArrayList<AlignedFace>(images.size());
            for (int i = 0; i < images.size(); i++) {
                Outcome outcome = prepared.get(i) instanceof Prepared p ? gate(p, images.get(i), route.minQuality())
                        : prepared.get(i);
                outcomes.add(outcome);
                if (outcome instanceof Prepared p) {
                    crops.add(p.face().aligned());
                }
            }
            deadline.check("embedding");
            long t = timings.start();
            List<float[]> embeddings = embedder.embed(route.model(), crops);
            timings.stop(Stage.EMBED, t);
            recordStages(timings, route.model());
            return new Embedded(outcomes, embeddings);
        }
    }

    /**
     * Each image's outcome, in order. With {@code faceoff.limits.parallel-images}, the second of two images is
     * prepared on a spare worker, if one is idle ({@link Admission#onSpareWorker}), while this thread prepares the
     * first; this thread waits for it either way, and the first image's error wins (the order of the serial path).
     */
    private List<Outcome> prepareAll(Route route, List<Image> images, Deadline deadline, StageTimings timings) {
        var second = new StageTimings();
        Optional<Future<Outcome>> other = images.size() == 2
                ? admission.onSpareWorker(() -> prepare(route, images.get(1), deadline, second)) : Optional.empty();
        if (other.isEmpty()) {
            var outcomes = new ArrayList<Outcome>(images.size());
            for (Image image : images) {
                outcomes.add(prepare(route, image, deadline, timings));
            }
            return outcomes;
        }
        Outcome first;
        try {
            first = prepare(route, images.get(0), deadline, timings);
        } catch (RuntimeException e) {
            try {
                await(other.get());   // its pixels stay reserved until it is done
            } catch (RuntimeException ignored) {
                // the first image's error is the answer
            }
            throw e;
        }
        Outcome outcome = await(other.get());
        second.nanos().forEach(timings::add);
        return List.of(first, outcome);
    }

    /** One image's face, found, aligned and measured; or its error, as its {@link OnError} says. */
    private Outcome prepare(Route route, Image image, Deadline deadline, StageTimings timings) {
        deadline.check("decoding " + image.name());
        PreparedFace face;
        try {
            face = pipeline.prepare(image.bytes(), route.selection(), image.name(), timings);
        } catch (FaceoffException e) {
            return failed(image, e);
        }
        // The drift signal sees every face offered, those the quality gate then refuses too: recorded here, before
        // the gate, once per face found, the same for every endpoint.
        FaceQuality q = face.quality();
        metrics.quality(route.model().name(), q.score(), q.yawDeg(), q.interEyePx());
        return new Prepared(face);
    }

    /** The face, or its refusal (422 {@code low_quality}, naming its weakest measure) when its score is below {@code min}. */
    private static Outcome gate(Prepared prepared, Image image, double min) {
        FaceQuality q = prepared.face().quality();
        if (min > 0 && q.score() < min) {
            return failed(image, new FaceoffException(ErrorCode.LOW_QUALITY, String.format(java.util.Locale.ROOT,
                    "%s: face quality %.3f is below min_quality %.3f; weakest measure: %s (yaw %.0f°, inter-eye %.0f px, "
                            + "sharpness %.0f, brightness %.0f, detector score %.2f)", image.name(), q.score(), min,
                    q.weakest(), q.yawDeg(), q.interEyePx(), q.sharpness(), q.brightness(), q.detectorScore())));
        }
        return prepared;
    }

    /**
     * An image's error: thrown when it fails the request (its {@link OnError}, or a server error — overload,
     * shutdown, deadline — which is always the request's), else kept as its outcome.
     */
    private static Failed failed(Image image, FaceoffException e) {
        if (image.onError() == OnError.FAIL_REQUEST || e.code().status().is5xxServerError()) {
            throw e;
        }
        return new Failed(e);
    }

    /** The helper's outcome, or its exception as thrown. */
    private static Outcome await(Future<Outcome> task) {
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
