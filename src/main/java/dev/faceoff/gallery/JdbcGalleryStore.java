package dev.faceoff.gallery;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.zaxxer.hikari.HikariDataSource;

/**
 * What both stores do alike over their tables ({@link GalleryTables}, the shared JDBC): subjects, a subject's faces,
 * models and templates as stored, the re-enrolment listing, the health check and closing the pool. The writes, the
 * search and the counts are each store's own ({@link EmbeddedGalleryStore}: the in-memory index;
 * {@link PostgresGalleryStore}: the HNSW index and cached counts).
 */
abstract sealed class JdbcGalleryStore implements GalleryStore permits EmbeddedGalleryStore, PostgresGalleryStore {

    final HikariDataSource data;
    final GalleryTables tables;

    JdbcGalleryStore(HikariDataSource data, GalleryTables.Column column, Optional<FaceCipher> cipher) {
        this.data = data;
        this.tables = new GalleryTables(data, column, cipher, this::modelRegistered);
    }

    /** A model's first template was written and its dimension fixed; nothing to do unless a store says so. */
    void modelRegistered(String model, int dimension) {
    }

    @Override
    public Saved putSubject(String tenant, String subjectId, Optional<String> metadata) {
        return tables.putSubject(tenant, subjectId, metadata);
    }

    @Override
    public Optional<Subject> subject(String tenant, String subjectId) {
        return tables.subject(tenant, subjectId);
    }

    @Override
    public Page subjects(String tenant, Optional<String> after, int limit) {
        return tables.subjects(tenant, after, limit);
    }

    @Override
    public Set<String> models(String tenant, String subjectId) {
        return tables.models(tenant, subjectId);
    }

    @Override
    public List<Face> faces(String tenant, String subjectId) {
        return tables.faces(tenant, subjectId);
    }

    @Override
    public List<float[]> templates(String tenant, String subjectId, String model) {
        return tables.templates(tenant, subjectId, model);
    }

    @Override
    public Optional<Mean> mean(String tenant, String subjectId, String model) {
        GalleryTables.checkModel(model);
        return Optional.ofNullable(tables.means(tenant, subjectId).get(model));
    }

    @Override
    public List<StoredFace> facesWithout(String model, long afterFaceId, int limit) {
        return tables.facesWithout(model, afterFaceId, limit);
    }

    @Override
    public long countFacesWithout(String model) {
        return tables.countFacesWithout(model);
    }

    @Override
    public void check() {
        tables.check();
    }

    @Override
    public void close() {
        data.close();
    }
}
