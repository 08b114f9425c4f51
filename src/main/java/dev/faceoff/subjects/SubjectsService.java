package dev.faceoff.subjects;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

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

    SubjectsService(GalleryStore store, GalleryProperties properties, VerificationService verification, Router router,
                    ModelRepository models, FaceoffMetrics metrics) {
        this.store = store;
        this.properties = properties;
        this.verification = verification;
        this.models = models;
        this.metrics = metrics;
        this.galleryModels = properties.models().isEmpty() ? router.choosable() : List.copyOf(properties.models());
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
            requireSubject(tenant, subjectId);
            VerificationService.Enrolment face = verification.enrolment(image, galleryModels, select,
                    minQuality == null ? properties.enrolMinQuality() : minQuality, scope);
            String model = galleryModels.get(0);
            Optional<String> duplicate = possibleDuplicate(tenant, subjectId, model, face.embeddings().get(model));
            OptionalLong faceId = store.addFace(tenant, subjectId, face.quality(), face.embeddings(), Optional.of(face.crop()));
            if (faceId.isEmpty()) {
                throw unknown(subjectId);   // erased meanwhile
            }
            metrics.enrolment("enrolled");
            return new EnrolmentResult(faceId.getAsLong(), subjectId, round(face.quality()), List.copyOf(face.embeddings().keySet()),
                    duplicate.orElse(null), face.face(), face.timingsMs());
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
            private List<float[]> templates = List.of();

            @Override
            public void routed(String model) {
                templates = store.templates(tenant, subjectId, model);
                if (templates.isEmpty()) {
                    throw notEnrolled(model, "subject " + subjectId + " has no face enrolled with model " + model);
                }
            }

            private double far;

            @Override
            public VerificationService.Score<Integer> score(String model, float[] probe, double threshold, double far) {
                this.far = far;
                double similarity = Vectors.cosine(probe, GalleryStore.mean(templates));
                return new VerificationService.Score<>(similarity, threshold, far, templates.size());
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
                        List<float[]> theirs = store.templates(tenant, subjectId, shadow.name());
                        Optional<ModelManifest.Threshold> at = shadow.manifest().thresholdAt(far);
                        if (theirs.isEmpty() || at.isEmpty()) {
                            return Optional.empty();
                        }
                        double similarity = Vectors.cosine(embedding, GalleryStore.mean(theirs));
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

    /** The other subject of the tenant this face already identifies, if any (at the default FPIR). */
    private Optional<String> possibleDuplicate(String tenant, String subjectId, String model, float[] embedding) {
        long n = OpenSetSearch.gallerySize(store.count(tenant, model));
        var manifest = models.embedding(model).orElseThrow().manifest();
        Optional<IdentificationThreshold> at = n == 0 ? Optional.empty()
                : manifest.identificationThreshold(properties.fpir(), n);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        return store.search(tenant, model, embedding, 2).stream()
                .filter(m -> !m.subjectId().equals(subjectId) && m.similarity() >= at.get().cosine())
                .map(GalleryStore.Match::subjectId).findFirst();
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
