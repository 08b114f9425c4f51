package dev.faceoff.subjects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Service;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.experiment.ExperimentTracker;
import dev.faceoff.experiment.Router;
import dev.faceoff.gallery.GalleryProperties;
import dev.faceoff.gallery.GalleryStore;
import dev.faceoff.gallery.OpenSetSearch;
import dev.faceoff.model.IdentificationThreshold;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.FaceoffMetrics;
import dev.faceoff.system.RequestScope;
import dev.faceoff.verification.VerificationService;

/**
 * Enrolled subjects over the gallery's store, per tenant: subjects and their faces, one face enrolled with every
 * gallery model ({@code faceoff.gallery.models}), a probe verified against one subject or identified in the tenant's
 * gallery. Faces are found, gated and embedded by the verification path ({@link VerificationService}), never here.
 */
@Service
@ConditionalOnBooleanProperty(name = "faceoff.gallery.enabled", matchIfMissing = true)
final class SubjectsService {

    static final int MAX_TOP_K = 50;

    private final GalleryStore store;
    private final GalleryProperties properties;
    private final VerificationService verification;
    private final ModelRepository models;
    private final FaceoffMetrics metrics;
    private final List<String> galleryModels;
    /**
     * Runs an enrolment's store calls beside its own work: the subject's lookup beside the photo's pipeline, the
     * duplicate check beside the write. A thread a core at most, kept 30 s; when every one is busy, the request's
     * own thread runs the task first (the cores are busy anyway).
     */
    private final ExecutorService beside;

    SubjectsService(GalleryStore store, GalleryProperties properties, VerificationService verification, Router router,
                    ModelRepository models, FaceoffMetrics metrics) {
        this.store = store;
        this.properties = properties;
        this.verification = verification;
        this.models = models;
        this.metrics = metrics;
        this.galleryModels = properties.models().isEmpty() ? router.choosable() : List.copyOf(properties.models());
        var counter = new AtomicInteger();
        this.beside = new ThreadPoolExecutor(0, Runtime.getRuntime().availableProcessors(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> {
                    var thread = new Thread(task, "enrolment-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, (task, full) -> task.run());   // shut down too: the check still runs, here
        for (String model : galleryModels) {
            if (models.embedding(model).isEmpty()) {
                throw new IllegalStateException("faceoff.gallery.models names " + model + ", which is not a loaded embedding "
                        + "model; loaded: " + models.embeddings().stream().map(m -> m.name()).toList());
            }
        }
    }

    /** The models every face is enrolled with. */
    List<String> galleryModels() {
        return galleryModels;
    }

    GalleryStore.Saved put(String tenant, String subjectId, Optional<String> metadata) {
        return store.putSubject(tenant, checked(subjectId), metadata);
    }

    /** The subject, its faces, the models it has templates for and the gallery models it lacks. */
    SubjectResult subject(String tenant, String subjectId) {
        GalleryStore.Subject subject = store.subject(tenant, checked(subjectId)).orElseThrow(() -> unknown(subjectId));
        return SubjectResult.of(subject, store.faces(tenant, subjectId), galleryModels);
    }

    GalleryStore.Page subjects(String tenant, Optional<String> after, int limit) {
        after.ifPresent(SubjectsService::checked);
        if (limit < 1 || limit > 1000) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "limit must be 1 to 1000; got " + limit);
        }
        return store.subjects(tenant, after, limit);
    }

    /** Erasure: the subject, its faces and templates. */
    void delete(String tenant, String subjectId) {
        if (!store.deleteSubject(tenant, checked(subjectId))) {
            throw unknown(subjectId);
        }
    }

    void deleteFace(String tenant, String subjectId, long faceId) {
        requireSubject(tenant, subjectId);
        boolean theirs = store.faces(tenant, subjectId).stream().anyMatch(f -> f.id() == faceId);
        if (!theirs || !store.deleteFace(tenant, faceId)) {
            throw new FaceoffException(ErrorCode.UNKNOWN_FACE, "subject " + subjectId + " has no face " + faceId);
        }
    }

    /**
     * One photo's face enrolled: found, gated at {@code minQuality} (default {@code faceoff.gallery.enrol-min-quality})
     * and embedded with every gallery model once, its templates written in one transaction; a possible duplicate
     * named when the face already identifies another subject of the tenant.
     */
    EnrolmentResult enrol(String tenant, String subjectId, byte[] image, String select, Double minQuality,
                          RequestScope scope) {
        try {
            // the subject looked up beside the photo's pipeline; an unknown subject answers 404 whatever the photo
            checked(subjectId);
            var known = new FutureTask<>(() -> store.subject(tenant, subjectId).isPresent());
            beside.execute(known);
            VerificationService.Enrolment face;
            try {
                face = verification.enrolment(image, galleryModels, select,
                        minQuality == null ? properties.enrolMinQuality() : minQuality, scope);
            } catch (RuntimeException e) {
                if (!outcome(known)) {
                    throw unknown(subjectId);
                }
                throw e;
            }
            if (!outcome(known)) {
                throw unknown(subjectId);
            }
            String model = galleryModels.get(0);
            // the duplicate check reads other subjects only: it runs beside the write, which commits once it is done
            var check = new FutureTask<>(() -> {
                long started = System.nanoTime();
                Optional<String> duplicate = possibleDuplicate(tenant, subjectId, model, face.embeddings().get(model));
                return new Checked(duplicate, System.nanoTime() - started);
            });
            beside.execute(check);   // on this thread, now, when no thread is free
            long writing = System.nanoTime();
            OptionalLong faceId = store.addFace(tenant, subjectId, face.quality(), face.embeddings(), Optional.of(face.crop()),
                    () -> outcome(check));
            long stored = System.nanoTime();
            if (faceId.isEmpty()) {
                throw unknown(subjectId);   // erased meanwhile
            }
            Checked checked = outcome(check);
            Optional<String> duplicate = checked.duplicate();
            metrics.enrolment("enrolled");
            var timings = new LinkedHashMap<>(face.timingsMs());
            timings.put("duplicate_check", millis(checked.nanos()));
            timings.put("store", millis(stored - writing));
            return new EnrolmentResult(faceId.getAsLong(), subjectId, round(face.quality()), List.copyOf(face.embeddings().keySet()),
                    duplicate.orElse(null), face.face(), timings);
        } catch (FaceoffException e) {
            metrics.enrolment(e.code().code());
            throw e;
        }
    }

    /**
     * A probe against one subject's template of the routed model, the mean of its faces' ({@link GalleryStore#mean}, as
     * identification scores it): one comparison at the route's threshold, so the false-accept rate is the threshold's
     * whatever the number of faces.
     */
    SubjectVerificationResult verify(String tenant, String subjectId, VerificationService.ProbeRequest request,
                                     RequestScope scope) {
        requireSubject(tenant, subjectId);
        var reference = new VerificationService.Reference<Integer>() {
            private GalleryStore.Mean template;
            private double far;

            @Override
            public void routed(String model) {
                template = store.mean(tenant, subjectId, model).orElseThrow(() ->
                        notEnrolled(model, "subject " + subjectId + " has no face enrolled with model " + model));
            }

            @Override
            public VerificationService.Score<Integer> score(String model, float[] probe, double threshold, double far) {
                this.far = far;
                double similarity = Vectors.cosine(probe, template.template());
                return new VerificationService.Score<>(similarity, threshold, far, template.faces());
            }

            /** A shadow model: the probe against the subject's mean template of that model, at its threshold for the request's FAR. */
            @Override
            public Optional<ExperimentTracker.ProbeReference> shadows() {
                return Optional.of(new ExperimentTracker.ProbeReference() {
                    @Override
                    public String named() {
                        return "";
                    }

                    @Override
                    public Optional<ExperimentTracker.ShadowDecision> decide(LoadedModel shadow, float[] embedding) {
                        Optional<GalleryStore.Mean> theirs = store.mean(tenant, subjectId, shadow.name());
                        Optional<ModelManifest.Threshold> at = shadow.manifest().thresholdAt(far);
                        if (theirs.isEmpty() || at.isEmpty()) {
                            return Optional.empty();
                        }
                        double similarity = Vectors.cosine(embedding, theirs.get().template());
                        return Optional.of(new ExperimentTracker.ShadowDecision(similarity, similarity >= at.get().cosine(), ""));
                    }
                });
            }
        };
        return SubjectVerificationResult.of(subjectId, verification.decide(request, reference, scope));
    }

    /**
     * A probe identified in the tenant's gallery: the top {@code topK} subjects by their mean template, and the
     * open-set decision at the identification threshold for {@code fpir} (default {@code faceoff.gallery.fpir}) at N,
     * the tenant's subjects with a template of the routed model. An empty gallery: no candidates, no match.
     */
    IdentificationResult identify(String tenant, Integer topK, Double fpir, VerificationService.ProbeRequest request,
                                  RequestScope scope) {
        int k = topK == null ? 5 : topK;
        double target = fpir == null ? properties.fpir() : fpir;
        if (k < 1 || k > MAX_TOP_K) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "top_k must be 1 to " + MAX_TOP_K + "; got " + k);
        }
        if (!(target > 0 && target < 1)) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "fpir must lie in (0, 1); got " + target);
        }
        var reference = new VerificationService.Reference<IdentificationResult.Search>() {
            private String named = "";

            @Override
            public void routed(String model) {
                if (!galleryModels.contains(model)) {
                    throw notEnrolled(model, "the gallery's faces are not enrolled with model " + model
                            + "; its models: " + galleryModels);
                }
            }

            @Override
            public VerificationService.Score<IdentificationResult.Search> score(String model, float[] probe,
                                                                                double threshold, double far) {
                var manifest = models.embedding(model).orElseThrow().manifest();
                OpenSetSearch searched = OpenSetSearch.identify(store, tenant, model, manifest, probe, k, target);
                GalleryStore.Counts counts = searched.counts();
                if (searched.threshold().isEmpty()) {
                    var empty = new IdentificationResult.Search(List.of(), counts.subjects(), counts.templates(), null, false);
                    return new VerificationService.Score<>(-1, 1.0, target, empty);
                }
                IdentificationThreshold at = searched.threshold().get();
                metrics.gallerySearch(model, searched.searchNanos());
                List<GalleryStore.Match> found = searched.found();
                var candidates = found.stream().map(m -> new IdentificationResult.Candidate(m.subjectId(),
                        round(m.similarity()))).toList();
                var search = new IdentificationResult.Search(candidates, counts.subjects(), counts.templates(),
                        found.isEmpty() ? null : found.get(0).subjectId(), at.beyondCalibration());
                named = searched.match() ? found.get(0).subjectId() : "";
                return new VerificationService.Score<>(searched.best(), at.cosine(), at.far(), search);
            }

            /** A shadow model: the probe identified in the tenant's gallery of that model, as the primary was. */
            @Override
            public Optional<ExperimentTracker.ProbeReference> shadows() {
                String primary = named;
                return Optional.of(new ExperimentTracker.ProbeReference() {
                    @Override
                    public String named() {
                        return primary;
                    }

                    @Override
                    public Optional<ExperimentTracker.ShadowDecision> decide(LoadedModel shadow, float[] embedding) {
                        if (!galleryModels.contains(shadow.name())) {
                            return Optional.empty();
                        }
                        OpenSetSearch searched = OpenSetSearch.identify(store, tenant, shadow.name(), shadow.manifest(),
                                embedding, 1, target);
                        if (searched.threshold().isEmpty()) {
                            return Optional.empty();
                        }
                        return Optional.of(new ExperimentTracker.ShadowDecision(searched.best(), searched.match(),
                                searched.match() ? searched.found().get(0).subjectId() : ""));
                    }
                });
            }
        };
        try {
            var decided = verification.decide(request, reference, scope);
            metrics.identification(decided.match() ? "match" : "no_match");
            return IdentificationResult.of(decided, target);
        } catch (FaceoffException e) {
            metrics.identification(e.code().code());
            throw e;
        }
    }

    private record Checked(Optional<String> duplicate, long nanos) {
    }

    /** A task's answer, or its exception as it was thrown. */
    private static <T> T outcome(FutureTask<T> check) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return check.get();
                } catch (InterruptedException e) {
                    interrupted = true;   // the check is bounded by the store's timeouts: wait it out
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the threads with the context. */
    @PreDestroy
    void stop() {
        beside.shutdownNow();
    }

    /** The other subject of the tenant this face already identifies, if any (at the default FPIR). */
    private Optional<String> possibleDuplicate(String tenant, String subjectId, String model, float[] embedding) {
        long n = OpenSetSearch.gallerySize(store.count(tenant, model));
        var manifest = models.embedding(model).orElseThrow().manifest();
        Optional<IdentificationThreshold> at = n == 0 ? Optional.empty()
                : manifest.identificationThreshold(properties.fpir(), n);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        return store.closestOther(tenant, model, embedding, subjectId)
                .filter(m -> m.similarity() >= at.get().cosine()).map(GalleryStore.Match::subjectId);
    }

    private void requireSubject(String tenant, String subjectId) {
        if (store.subject(tenant, checked(subjectId)).isEmpty()) {
            throw unknown(subjectId);
        }
    }

    /** The subject id, else 400 {@code invalid_subject_id}. */
    static String checked(String subjectId) {
        if (!GalleryStore.isSubjectId(subjectId)) {
            throw new FaceoffException(ErrorCode.INVALID_SUBJECT_ID, "a subject id is 1 to 64 of A-Z a-z 0-9 . _ @ -");
        }
        return subjectId;
    }

    private static FaceoffException unknown(String subjectId) {
        return new FaceoffException(ErrorCode.UNKNOWN_SUBJECT, "no subject " + subjectId);
    }

    private static FaceoffException notEnrolled(String model, String detail) {
        return new FaceoffException(ErrorCode.NOT_ENROLLED_FOR_MODEL, detail + " (re-enrol, or name another model)");
    }

    /** Nanoseconds as milliseconds to two decimals, as {@code timings_ms} shows every stage. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    /** Models of {@code all} not in {@code have}, in order. */
    static List<String> missing(List<String> all, Set<String> have) {
        var missing = new ArrayList<String>();
        for (String m : all) {
            if (!have.contains(m)) {
                missing.add(m);
            }
        }
        return missing;
    }

    static Set<String> union(List<GalleryStore.Face> faces) {
        var models = new TreeSet<String>();
        faces.forEach(f -> models.addAll(f.models()));
        return models;
    }
}
