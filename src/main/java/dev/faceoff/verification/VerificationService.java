package dev.faceoff.verification;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import org.springframework.stereotype.Service;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.common.StageTimings.Stage;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.experiment.ExperimentTracker;
import dev.faceoff.experiment.RequestKeys;
import dev.faceoff.system.Admission;
import dev.faceoff.system.LimitsProperties;
import dev.faceoff.system.RequestScope;

/**
 * Verification: prepare the faces, embed them in one run with the routed model, cosine similarity, decide
 * against the model's threshold calibrated at the requested false-accept rate. {@code verify} (a pair),
 * {@code compare} (a probe and its candidates) and {@code embed} (one face) take one routing decision
 * ({@link Routes}) and go one way ({@link #answer}): route → prepare → gate → embed → decide, each image's
 * {@link Outcome} kept as data; what differs is what an image's error does ({@link Image.OnError}), and
 * {@link ErrorOrder} says which error fails the request.
 */
@Service
public final class VerificationService {

    private final Routes routes;
    private final ImagePreparation preparation;
    private final EmbeddingModel embedder;
    private final Admission admission;
    private final ExperimentTracker tracker;
    private final VerificationMetrics metrics;
    private final LimitsProperties limits;

    VerificationService(Routes routes, ImagePreparation preparation, EmbeddingModel embedder, Admission admission,
                        ExperimentTracker tracker, VerificationMetrics metrics, LimitsProperties limits) {
        this.routes = routes;
        this.preparation = preparation;
        this.embedder = embedder;
        this.admission = admission;
        this.tracker = tracker;
        this.metrics = metrics;
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

    /** A probe decided against the gallery ({@link #decide}): one image, and the options of a verification. */
    public record ProbeRequest(byte[] image, String model, Double far, String select, Double minQuality,
                               RequestKeys keys) {
    }

    /**
     * What a probe is decided against ({@link #decide}): a subject's templates, a tenant's gallery.
     *
     * @param <T> what it adds to the answer (the candidates of an identification)
     */
    public interface Reference<T> {

        /** The request is routed to {@code model}: throws (409) before its image is prepared when nothing of it is here. */
        void routed(String model);

        /**
         * The probe's embedding by {@code model} scored against it: the similarity and the threshold it is decided
         * at; {@code threshold} is the route's, calibrated at the request's {@code far}.
         */
        Score<T> score(String model, float[] probe, double threshold, double far);

        /**
         * What the shadow models of the request's experiment decide the probe against, each with its own templates
         * (after {@link #score}); empty: no shadow decision.
         */
        default Optional<ExperimentTracker.ProbeReference> shadows() {
            return Optional.empty();
        }
    }

    /** A probe's similarity, the threshold (and its false-accept rate) it is decided at, and what the reference adds. */
    public record Score<T>(double similarity, double threshold, double far, T detail) {
    }

    /** A probe decided: its id for feedback (recorded like a verification's), the decision, and how it was made. */
    public record Decided<T>(String id, boolean match, double similarity, double threshold, double far,
                             VerificationResult.ModelRef model, VerificationResult.RoutingRef routing,
                             VerificationResult.Face face, Map<String, Double> timingsMs, T detail) {
    }

    /** A face for the gallery: its quality, its aligned crop (BGR) and its embedding by each model, from one image. */
    public record Enrolment(VerificationResult.Face face, double quality, byte[] crop, Map<String, float[]> embeddings,
                            Map<String, Double> timingsMs) {
    }

    public VerificationResult verify(Request request, RequestScope scope) {
        long start = System.nanoTime();
        Route route = routes.deciding(request.model(), request.keys(), request.far(), request.select(),
                request.minQuality(), scope);
        Finished finished = answer(route, List.of(new Image("image1", request.image1(), Image.OnError.FAIL_REQUEST),
                new Image("image2", request.image2(), Image.OnError.FAIL_REQUEST)), scope, start);
        Finished.Decision decision = finished.decisionOf(1);
        return new VerificationResult(decision.id(), decision.match(), round(decision.similarity()),
                route.threshold().cosine(), route.far(), route.modelRef(), route.routingRef(),
                List.of(VerificationResult.Face.of(finished.embedded(0).face()),
                        VerificationResult.Face.of(finished.embedded(1).face())), finished.timings().millis());
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
        Route route = routes.deciding(request.model(), request.keys(), request.far(), request.select(),
                request.minQuality(), scope);
        var images = new ArrayList<Image>(n + 1);
        images.add(new Image("probe", request.probe(), Image.OnError.FAIL_REQUEST));
        for (int i = 0; i < n; i++) {
            images.add(new Image("candidates[" + i + "]", request.candidates().get(i), Image.OnError.KEEP));
        }
        Finished finished = answer(route, images, scope, start);

        var candidates = new ArrayList<ComparisonResult.Candidate>(n);
        Integer best = null;
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            Outcome outcome = finished.outcomes().get(i + 1);
            if (outcome instanceof Outcome.Embedded embedded) {
                Finished.Decision d = finished.decisionOf(i + 1);
                if (d.match() && d.similarity() > bestSimilarity) {
                    best = i;
                    bestSimilarity = d.similarity();
                }
                candidates.add(new ComparisonResult.Candidate(i, d.id(), d.match(), round(d.similarity()),
                        VerificationResult.Face.of(embedded.face()), null));
            } else {
                candidates.add(new ComparisonResult.Candidate(i, null, null, null, null, candidateError(outcome)));
            }
        }
        return new ComparisonResult(route.threshold().cosine(), route.far(), route.modelRef(), route.routingRef(),
                VerificationResult.Face.of(finished.embedded(0).face()), candidates, best, finished.timings().millis());
    }

    public EmbeddingResult embed(byte[] image, String modelName, String select, Double minQuality, RequestScope scope) {
        Route route = routes.embedding(modelName, select, minQuality, scope);
        Finished finished = answer(route, List.of(new Image("image", image, Image.OnError.FAIL_REQUEST)), scope,
                System.nanoTime());
        Outcome.Embedded embedded = finished.embedded(0);
        return new EmbeddingResult(route.modelRef(), embedded.embedding().length, embedded.embedding(),
                VerificationResult.Face.of(embedded.face()), finished.timings().millis());
    }

    /**
     * One image's face for the gallery: found and gated once (at {@code minQuality}; default
     * {@code faceoff.decision.min-quality}), embedded with every model of {@code models} (at least one) under one
     * worker. Never an experiment: a template must be the named model's.
     */
    public Enrolment enrolment(byte[] image, List<String> models, String select, Double minQuality, RequestScope scope) {
        Route route = routes.embedding(models.get(0), select, minQuality, scope);
        var more = new ArrayList<LoadedModel>();
        for (String name : models.subList(1, models.size())) {
            more.add(routes.embedding(name, select, minQuality, scope).model());
        }
        scope.assigned(route.variant());
        Finished finished = embedded(route, List.of(new Image("image", image, Image.OnError.FAIL_REQUEST)), scope, more);
        metrics.recorded(finished);
        finished.error().ifPresent(e -> {
            throw e;
        });
        Outcome.Embedded embedded = finished.embedded(0);
        var embeddings = new java.util.LinkedHashMap<String, float[]>();
        embeddings.put(route.model().name(), embedded.embedding());
        embeddings.putAll(finished.more());
        return new Enrolment(VerificationResult.Face.of(embedded.face()), embedded.face().quality().score(),
                embedded.face().aligned().bgr(), embeddings, finished.timings().millis());
    }

    /**
     * One probe routed like a verification (model, experiment, far, face choice, quality gate), prepared and embedded,
     * scored against {@code reference} and decided: {@code match} when the similarity reaches the score's threshold,
     * recorded for feedback with its id ({@link #decision}), and decided again by the experiment's shadow models
     * against {@link Reference#shadows}, off the request's thread.
     */
    public <T> Decided<T> decide(ProbeRequest request, Reference<T> reference, RequestScope scope) {
        long start = System.nanoTime();
        Route route = routes.deciding(request.model(), request.keys(), request.far(), request.select(),
                request.minQuality(), scope);
        reference.routed(route.model().name());
        Finished embedded = embedded(route, List.of(new Image("image", request.image(), Image.OnError.FAIL_REQUEST)),
                scope, List.of());
        if (embedded.error().isPresent()) {
            metrics.recorded(embedded);
            throw embedded.error().get();
        }
        Outcome.Embedded probe = embedded.embedded(0);
        Score<T> score;
        try {
            score = reference.score(route.model().name(), probe.embedding(), route.threshold().cosine(), route.far());
        } catch (FaceoffException e) {
            metrics.recorded(embedded.failed(e));
            throw e;
        }
        AlignedFace face = probe.face().aligned();
        Finished.Decision d = decision(0, route, score.similarity(), score.threshold(), score.far(), start,
                v -> reference.shadows().ifPresentOrElse(shadows -> tracker.probed(v, face, shadows),
                        () -> tracker.verified(v, List.of())));
        Finished finished = embedded.decided(List.of(d));
        metrics.recorded(finished);
        return new Decided<>(d.id(), d.match(), round(d.similarity()), score.threshold(), score.far(), route.modelRef(),
                route.routingRef(), VerificationResult.Face.of(probe.face()), finished.timings().millis(), score.detail());
    }

    /**
     * A request's images on its route: prepared, gated, embedded ({@link #embedded}), every image after the first
     * decided against it ({@link #decided}); its metrics recorded from what it came to. Throws the error that
     * fails the request ({@link ErrorOrder}), after its metrics.
     */
    private Finished answer(Route route, List<Image> images, RequestScope scope, long start) {
        Finished finished = decided(embedded(route, images, scope, List.of()), start);
        metrics.recorded(finished);
        finished.error().ifPresent(e -> {
            throw e;
        });
        return finished;
    }

    /**
     * Prepares each image's face ({@link ImagePreparation}), lets it through the quality gate and embeds the faces
     * in one run, holding one worker ({@link Admission}) and, while the images are decoded, the memory their pixels
     * take. Every image is prepared before any is gated; the error that fails the request ({@link ErrorOrder}), or
     * the deadline passed before embedding, comes back as data, and then nothing is embedded. The first image's face
     * is also embedded with each model of {@code more} (an enrolment's further gallery models).
     */
    private Finished embedded(Route route, List<Image> images, RequestScope scope, List<LoadedModel> more) {
        Deadline deadline = scope.deadline();
        var timings = new StageTimings();
        try (var worker = admission.enter(deadline, scope.place())) {
            List<Outcome> prepared;
            try (var memory = admission.reserveDecoded(preparation.workingBytes(images), scope.held())) {
                prepared = preparation.prepare(images, route.selection(), deadline, timings);
            }
            var gated = new ArrayList<Outcome>(prepared.size());
            for (int i = 0; i < prepared.size(); i++) {
                gated.add(gate(prepared.get(i), images.get(i), route.minQuality()));
            }
            var error = ErrorOrder.failing(images, gated);
            if (error.isPresent()) {
                return new Finished(route, gated, error, timings);
            }
            try {
                deadline.check("embedding");
                List<Outcome> embedded = embed(route, gated, timings);
                var further = new java.util.LinkedHashMap<String, float[]>();
                for (LoadedModel model : more) {
                    long t = timings.start();
                    further.put(model.name(), embedder.embed(model, List.of(((Outcome.Found) gated.get(0)).face().aligned()))
                            .get(0));
                    timings.stop(Stage.EMBED, t);
                }
                return new Finished(route, embedded, error, timings, List.of(), Map.copyOf(further));
            } catch (FaceoffException e) {   // the deadline, or a server error of the run: always the request's
                return new Finished(route, gated, Optional.of(e), timings);
            }
        }
    }

    /** Each found face through one run of the route's model; the other outcomes as they are. */
    private List<Outcome> embed(Route route, List<Outcome> gated, StageTimings timings) {
        List<AlignedFace> crops = gated.stream().<AlignedFace>mapMulti((outcome, crop) -> {
            if (outcome instanceof Outcome.Found found) {
                crop.accept(found.face().aligned());
            }
        }).toList();
        long t = timings.start();
        var embeddings = embedder.embed(route.model(), crops).iterator();
        timings.stop(Stage.EMBED, t);
        return gated.stream().map(outcome -> outcome instanceof Outcome.Found found
                ? (Outcome) new Outcome.Embedded(found.face(), embeddings.next()) : outcome).toList();
    }

    /**
     * Every embedded image after the first decided against the first at the route's threshold; each decision
     * recorded for feedback and the report, the aligned faces handed to the shadow models (off this thread).
     */
    private Finished decided(Finished finished, long start) {
        if (finished.error().isPresent()) {
            return finished;
        }
        Route route = finished.route();
        Outcome.Embedded first = finished.embedded(0);
        var decisions = new ArrayList<Finished.Decision>();
        for (int i = 1; i < finished.outcomes().size(); i++) {
            if (finished.outcomes().get(i) instanceof Outcome.Embedded other) {
                List<AlignedFace> pair = List.of(first.face().aligned(), other.face().aligned());
                decisions.add(decision(i, route, Vectors.cosine(first.embedding(), other.embedding()),
                        route.threshold().cosine(), route.far(), start, v -> tracker.verified(v, pair)));
            }
        }
        return finished.decided(decisions);
    }

    /**
     * The one decision of a similarity (a pair's, a probe's against the gallery) at a threshold: its id, handed to
     * {@code tracked} ({@link ExperimentTracker}: the record for feedback and the report, and what the shadows need).
     */
    private Finished.Decision decision(int image, Route route, double similarity, double threshold, double far,
                                       long start, Consumer<ExperimentTracker.Verified> tracked) {
        boolean match = similarity >= threshold;
        String id = UUID.randomUUID().toString();
        tracked.accept(new ExperimentTracker.Verified(id, route.assignment(), far, similarity, match, System.nanoTime() - start));
        return new Finished.Decision(image, id, similarity, match);
    }

    /** The face, or its refusal (422 {@code low_quality}, naming its weakest measure) when its score is below {@code min}. */
    private static Outcome gate(Outcome prepared, Image image, double min) {
        if (!(prepared instanceof Outcome.Found found)) {
            return prepared;
        }
        FaceQuality q = found.face().quality();
        if (min > 0 && q.score() < min) {
            return new Outcome.Refused(found.face(), new FaceoffException(ErrorCode.LOW_QUALITY, String.format(
                    java.util.Locale.ROOT, "%s: face quality %.3f is below min_quality %.3f; weakest measure: %s (yaw %.0f°, "
                            + "inter-eye %.0f px, sharpness %.0f, brightness %.0f, detector score %.2f)", image.name(),
                    q.score(), min, q.weakest(), q.yawDeg(), q.interEyePx(), q.sharpness(), q.brightness(),
                    q.detectorScore())));
        }
        return found;
    }

    /** A candidate's own error: the code and detail its own request would have had. */
    private static ComparisonResult.CandidateError candidateError(Outcome outcome) {
        FaceoffException error = outcome instanceof Outcome.Refused refused ? refused.error()
                : ((Outcome.Failed) outcome).error();
        return new ComparisonResult.CandidateError(error.code().code(), error.code().status().value(), error.getMessage());
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
