package dev.faceoff.gallery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The gallery of enrolled subjects, per tenant (an API key's tenant, its name by default): a tenant never sees
 * another's subjects. A subject has faces; a face has one template (a unit embedding) per gallery model and,
 * when {@code faceoff.gallery.keep-faces} is on, its 112×112 aligned crop, sealed with AES-GCM. A subject is
 * searched by one template per model, the normalised mean of its faces' ({@link #mean}), kept in the same
 * transaction as every write of its templates. Every write is one transaction. Search is by exact cosine
 * similarity: the {@code embedded} store scans an in-memory matrix; the {@code postgres} store re-scores
 * pgvector's HNSW candidates in Java (docs/gallery.md).
 *
 * <p>Invalid arguments (a subject id outside {@code [A-Za-z0-9._@-]{1,64}}, metadata that is not a JSON object of
 * at most 4 KB, a template that is not a unit vector of its model's dimension) throw
 * {@link dev.faceoff.common.FaceoffException} with {@code invalid_request}. Embeddings and crops are never logged.
 */
public sealed interface GalleryStore extends AutoCloseable permits JdbcGalleryStore {

    /** A subject; {@code metadata} is the JSON object given at enrolment, if any. */
    record Subject(String id, Optional<String> metadata, Instant createdAt, Instant updatedAt) {
    }

    /** What {@link #putSubject} did: {@code created} false when the subject existed (its metadata replaced). */
    record Saved(Subject subject, boolean created) {
    }

    /** A page of subjects in subject-id order; {@code next} is the cursor of the following page, if any. */
    record Page(List<Subject> subjects, Optional<String> next) {
    }

    /**
     * A subject's template of one model as searches score it: the mean of its {@code faces} faces' ({@link #mean}),
     * kept by the store with every write of its templates.
     */
    record Mean(float[] template, int faces) {
    }

    /** One subject found by {@link #search}: the cosine similarity of its mean template to the query. */
    record Match(String subjectId, double similarity) {
    }

    /**
     * Of one tenant and model: {@code subjects} with at least one template (the N of an open-set threshold: one
     * mean template each) and {@code templates} (their faces' templates).
     */
    record Counts(long subjects, long templates) {
    }

    /** One face of a subject: its id, quality at enrolment, when it was enrolled, the models it has templates for. */
    record Face(long id, double quality, Instant createdAt, Set<String> models) {
    }

    /** A stored face, for re-enrolment: its crop when faces are kept (decrypted). */
    record StoredFace(String tenant, String subjectId, long faceId, double quality, Optional<byte[]> crop) {
    }

    /** Whether {@code id} is a subject id: 1–64 of {@code A-Z a-z 0-9 . _ @ -}. */
    static boolean isSubjectId(String id) {
        return id != null && GalleryTables.NAME.matcher(id).matches();
    }

    /**
     * A subject's template of one model: the normalised mean of its faces' templates (summed in double precision),
     * the template itself for one face. Measured against scoring a subject by its best face on CFP
     * (docs/accuracy.md, "Several faces per subject"): it finds more enrolled people at the same FPIR, and a
     * stranger has one chance of a false accept per subject, not one per face.
     */
    static float[] mean(List<float[]> templates) {
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("the mean of no templates");
        }
        if (templates.size() == 1) {
            return templates.get(0).clone();
        }
        double[] sum = new double[templates.get(0).length];
        for (float[] t : templates) {
            if (t.length != sum.length) {
                throw new IllegalArgumentException("templates of " + sum.length + " and " + t.length + " values");
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += t[i];
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm < 1e-6) {
            return templates.get(0).clone();   // faces that cancel out (not a face's embeddings): the first
        }
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / norm);
        }
        return mean;
    }

    /** The similarity of two unit templates, as both stores score a search (their dot product: the cosine). */
    static float similarity(float[] a, float[] b) {
        return TemplateMatrix.dot(a, b, 0);
    }

    /** An embedded store in {@code folder}, faces not kept: for jobs that measure the gallery on their own copy. */
    static GalleryStore embedded(java.nio.file.Path folder) {
        return EmbeddedGalleryStore.open(folder, Optional.empty());
    }

    /** Creates the subject, or replaces its metadata (PUT: the same call twice leaves one subject). */
    Saved putSubject(String tenant, String subjectId, Optional<String> metadata);

    Optional<Subject> subject(String tenant, String subjectId);

    /** Subjects in subject-id order after the cursor {@code after} (a subject id; empty: from the first), at most {@code limit} (1–1000). */
    Page subjects(String tenant, Optional<String> after, int limit);

    /** Erasure: the subject, every face (crop included) and every template, in one transaction; false if unknown. */
    boolean deleteSubject(String tenant, String subjectId);

    /**
     * Adds one face with a template for every gallery model, in one transaction: all of it or none. The crop
     * is stored (sealed) only when faces are kept.
     *
     * @param templates model name → unit embedding
     * @return the face's id; empty when the subject does not exist
     */
    default OptionalLong addFace(String tenant, String subjectId, double quality, Map<String, float[]> templates,
                                 Optional<byte[]> alignedCrop) {
        return addFace(tenant, subjectId, quality, templates, alignedCrop, () -> {
        });
    }

    /**
     * {@link #addFace(String, String, double, Map, Optional)}, running {@code beforeCommit} in the transaction once
     * the face is written: when it throws, nothing is written and its exception is thrown (an enrolment's duplicate
     * check, run beside the write, decides with it).
     */
    OptionalLong addFace(String tenant, String subjectId, double quality, Map<String, float[]> templates,
                         Optional<byte[]> alignedCrop, Runnable beforeCommit);

    /** Deletes one face and its templates; false if the tenant has no such face. */
    boolean deleteFace(String tenant, long faceId);

    /**
     * The {@code k} subjects most similar to the query by exact cosine similarity of their mean template of the
     * model ({@link #mean}), highest first, ties by subject id.
     */
    List<Match> search(String tenant, String model, float[] unitQuery, int k);

    /**
     * An enrolment's duplicate check: the subject other than {@code except} most similar to the query, by exact cosine
     * of its mean template. The embedded store finds it exactly, as {@link #search} would. The postgres store asks
     * its HNSW index for a short list ({@code PostgresGalleryStore#DUPLICATE_CANDIDATES}, a shallower walk than an
     * identification's) and re-scores it exactly: a near-duplicate is the index's first candidate, and the shorter
     * walk costs a fifth of an identification's (docs/gallery.md, "The duplicate check").
     */
    Optional<Match> closestOther(String tenant, String model, float[] unitQuery, String except);

    Counts count(String tenant, String model);

    /** The models the subject has at least one template for. */
    Set<String> models(String tenant, String subjectId);

    /** The subject's faces, by face id (empty for an unknown subject). */
    List<Face> faces(String tenant, String subjectId);

    /** The subject's templates of {@code model}, one per face that has one, by face id. */
    List<float[]> templates(String tenant, String subjectId, String model);

    /** The subject's mean template of {@code model}, as the store keeps it; empty if it has no face of the model. */
    Optional<Mean> mean(String tenant, String subjectId, String model);

    /** Templates of {@code model} in the gallery, every tenant: its faces enrolled with that model (a metric). */
    long templates(String model);

    /** Faces of every tenant with no template for {@code model}, by face id after {@code afterFaceId}, at most {@code limit}. */
    List<StoredFace> facesWithout(String model, long afterFaceId, int limit);

    /** How many faces of every tenant have no template for {@code model} (what {@link #facesWithout} would list). */
    long countFacesWithout(String model);

    /** Adds (or replaces) the face's template for one model (re-enrolment); false if the face does not exist. */
    boolean addTemplate(long faceId, String model, float[] template);

    /** One trivial query on the store's database: throws {@code store_unavailable} when it cannot answer (its health). */
    void check();

    @Override
    void close();
}
