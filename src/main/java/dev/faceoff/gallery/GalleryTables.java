package dev.faceoff.gallery;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.pgvector.PGvector;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The gallery's tables (db/migration/h2 and db/migration/postgres: the same schema), read and written with
 * plain JDBC for both stores; only the embedding column differs ({@link Column}). Each write is one
 * transaction. Also the argument checks of {@link GalleryStore}. Never puts a value into an error message.
 */
final class GalleryTables {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final int MAX_METADATA_BYTES = 4096;
    static final int MAX_CROP_BYTES = 1 << 20;
    static final int MAX_PAGE = 1000;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String UNIQUE_VIOLATION = "23505";

    /** How an embedding is stored: H2 float32 little-endian bytes, or a pgvector {@code vector}. */
    enum Column {
        H2, POSTGRES;

        void set(PreparedStatement statement, int index, float[] vector) throws SQLException {
            if (this == POSTGRES) {
                statement.setObject(index, new PGvector(vector));
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(vector);
            statement.setBytes(index, bytes.array());
        }

        float[] get(ResultSet row, int index) throws SQLException {
            if (this == POSTGRES) {
                return new PGvector(row.getString(index)).toArray();
            }
            var floats = ByteBuffer.wrap(row.getBytes(index)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] vector = new float[floats.remaining()];
            floats.get(vector);
            return vector;
        }
    }

    /** Who owns a face. */
    record Owner(String tenant, String subjectId) {
    }

    /** One stored mean, as the embedded store loads them. */
    interface MeanSink {
        void accept(String tenant, String model, String subjectId, GalleryStore.Mean mean);
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource data;
    private final Column column;
    private final Optional<FaceCipher> cipher;
    private final BiConsumer<String, Integer> onNewModel;
    private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();

    /**
     * @param cipher     present when faces are kept: crops are sealed with it; absent: crops are not stored
     * @param onNewModel called with a model and its dimension once it is registered (the postgres store's index)
     */
    GalleryTables(DataSource data, Column column, Optional<FaceCipher> cipher, BiConsumer<String, Integer> onNewModel) {
        this.data = data;
        this.column = column;
        this.cipher = cipher;
        this.onNewModel = onNewModel;
    }

    // ---- subjects

    GalleryStore.Saved putSubject(String tenant, String subjectId, Optional<String> metadata) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        metadata.ifPresent(GalleryTables::checkMetadata);
        String json = metadata.orElse(null);
        return run(false, c -> {
            OffsetDateTime now = now();
            try (var insert = c.prepareStatement("INSERT INTO gallery_subject (tenant, subject_id, metadata, created_at, "
                    + "updated_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, tenant);
                insert.setString(2, subjectId);
                insert.setString(3, json);
                insert.setObject(4, now);
                insert.setObject(5, now);
                insert.executeUpdate();
                return new GalleryStore.Saved(subject(c, tenant, subjectId).orElseThrow(), true);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
            try (var update = c.prepareStatement("UPDATE gallery_subject SET metadata = ?, updated_at = ? "
                    + "WHERE tenant = ? AND subject_id = ? AND metadata IS DISTINCT FROM ?")) {
                update.setString(1, json);
                update.setObject(2, now);
                update.setString(3, tenant);
                update.setString(4, subjectId);
                update.setString(5, json);
                update.executeUpdate();
            }
            return new GalleryStore.Saved(subject(c, tenant, subjectId).orElseThrow(), false);
        });
    }

    Optional<GalleryStore.Subject> subject(String tenant, String subjectId) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        return run(false, c -> subject(c, tenant, subjectId));
    }

    GalleryStore.Page subjects(String tenant, Optional<String> after, int limit) {
        checkName("tenant", tenant);
        after.ifPresent(a -> checkName("cursor", a));
        if (limit < 1 || limit > MAX_PAGE) {
            throw invalid("limit must be 1 to " + MAX_PAGE);
        }
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT subject_id, metadata, created_at, updated_at FROM gallery_subject "
                    + "WHERE tenant = ? AND subject_id > ? ORDER BY subject_id LIMIT ?")) {
                query.setString(1, tenant);
                query.setString(2, after.orElse(""));
                query.setInt(3, limit + 1);
                var page = new ArrayList<GalleryStore.Subject>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        page.add(subject(row));
                    }
                }
                if (page.size() <= limit) {
                    return new GalleryStore.Page(List.copyOf(page), Optional.empty());
                }
                List<GalleryStore.Subject> shown = List.copyOf(page.subList(0, limit));
                return new GalleryStore.Page(shown, Optional.of(shown.get(limit - 1).id()));
            }
        });
    }

    /** Erasure: means, templates, faces (crops) and the subject, in one transaction. */
    boolean deleteSubject(String tenant, String subjectId) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        return run(true, c -> {
            if (!lockSubject(c, tenant, subjectId)) {
                return false;
            }
            for (String table : List.of("gallery_mean", "gallery_template", "gallery_face", "gallery_subject")) {
                try (var delete = c.prepareStatement("DELETE FROM " + table + " WHERE tenant = ? AND subject_id = ?")) {
                    delete.setString(1, tenant);
                    delete.setString(2, subjectId);
                    delete.executeUpdate();
                }
            }
            return true;
        });
    }

    // ---- faces and templates

    OptionalLong addFace(String tenant, String subjectId, double quality, Map<String, float[]> templates,
                         Optional<byte[]> crop, Runnable beforeCommit) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        if (!Double.isFinite(quality)) {
            throw invalid("quality must be a number");
        }
        if (templates.isEmpty()) {
            throw invalid("a face needs at least one template");
        }
        templates.forEach(GalleryTables::checkUnit);
        crop.ifPresent(bytes -> {
            if (bytes.length == 0 || bytes.length > MAX_CROP_BYTES) {
                throw invalid("an aligned crop has 1 to " + MAX_CROP_BYTES + " bytes");
            }
        });
        Map<String, Integer> dims = new java.util.TreeMap<>();
        templates.forEach((model, vector) -> dims.put(model, register(model, vector.length)));
        return run(true, c -> {
            if (!lockSubject(c, tenant, subjectId)) {
                return OptionalLong.empty();
            }
            long faceId;
            try (var insert = c.prepareStatement("INSERT INTO gallery_face (tenant, subject_id, quality, crop, created_at) "
                    + "VALUES (?, ?, ?, ?, ?)", new String[] {"face_id"})) {
                insert.setString(1, tenant);
                insert.setString(2, subjectId);
                insert.setDouble(3, quality);
                insert.setBytes(4, cipher.isPresent() && crop.isPresent()
                        ? cipher.get().seal(crop.get(), tenant, subjectId) : null);
                insert.setObject(5, now());
                insert.executeUpdate();
                try (ResultSet key = insert.getGeneratedKeys()) {
                    key.next();
                    faceId = key.getLong(1);
                }
            }
            for (var template : new java.util.TreeMap<>(templates).entrySet()) {
                // checked inside the transaction, after the face is written: a bad template undoes the whole face
                checkDimension(template.getKey(), template.getValue(), dims.get(template.getKey()));
                insertTemplate(c, faceId, template.getKey(), tenant, subjectId, template.getValue());
            }
            for (String model : new java.util.TreeSet<>(templates.keySet())) {
                writeMean(c, tenant, subjectId, model);
            }
            beforeCommit.run();   // throwing: rolled back
            return OptionalLong.of(faceId);
        });
    }

    /** The owner of the deleted face; empty if the tenant has no such face. */
    Optional<Owner> deleteFace(String tenant, long faceId) {
        checkName("tenant", tenant);
        return run(true, c -> {
            Optional<Owner> owner = lockFace(c, faceId).filter(o -> o.tenant().equals(tenant));
            if (owner.isPresent()) {
                var models = new TreeSet<String>();
                try (var query = c.prepareStatement("SELECT model FROM gallery_template WHERE face_id = ?")) {
                    query.setLong(1, faceId);
                    try (ResultSet row = query.executeQuery()) {
                        while (row.next()) {
                            models.add(row.getString(1));
                        }
                    }
                }
                for (String table : List.of("gallery_template", "gallery_face")) {
                    try (var delete = c.prepareStatement("DELETE FROM " + table + " WHERE face_id = ?")) {
                        delete.setLong(1, faceId);
                        delete.executeUpdate();
                    }
                }
                for (String model : models) {
                    writeMean(c, tenant, owner.get().subjectId(), model);
                }
            }
            return owner;
        });
    }

    /** The face's owner once its template for {@code model} is written (replaced if it had one); empty if no such face. */
    Optional<Owner> addTemplate(long faceId, String model, float[] template) {
        checkUnit(model, template);
        int dimension = register(model, template.length);
        return run(true, c -> {
            Optional<Owner> owner = lockFace(c, faceId);
            if (owner.isPresent()) {
                checkDimension(model, template, dimension);
                try (var delete = c.prepareStatement("DELETE FROM gallery_template WHERE face_id = ? AND model = ?")) {
                    delete.setLong(1, faceId);
                    delete.setString(2, model);
                    delete.executeUpdate();
                }
                insertTemplate(c, faceId, model, owner.get().tenant(), owner.get().subjectId(), template);
                writeMean(c, owner.get().tenant(), owner.get().subjectId(), model);
            }
            return owner;
        });
    }

    Set<String> models(String tenant, String subjectId) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT DISTINCT model FROM gallery_template WHERE tenant = ? AND subject_id = ?")) {
                query.setString(1, tenant);
                query.setString(2, subjectId);
                var models = new TreeSet<String>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        models.add(row.getString(1));
                    }
                }
                return Set.copyOf(models);
            }
        });
    }

    List<GalleryStore.Face> faces(String tenant, String subjectId) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT f.face_id, f.quality, f.created_at, t.model FROM gallery_face f "
                    + "LEFT JOIN gallery_template t ON t.face_id = f.face_id WHERE f.tenant = ? AND f.subject_id = ? "
                    + "ORDER BY f.face_id, t.model")) {
                query.setString(1, tenant);
                query.setString(2, subjectId);
                var faces = new java.util.LinkedHashMap<Long, GalleryStore.Face>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        long id = row.getLong(1);
                        GalleryStore.Face face = faces.get(id);
                        if (face == null) {
                            face = new GalleryStore.Face(id, row.getDouble(2),
                                    row.getObject(3, OffsetDateTime.class).toInstant(), new TreeSet<>());
                            faces.put(id, face);
                        }
                        if (row.getString(4) != null) {
                            face.models().add(row.getString(4));
                        }
                    }
                }
                return faces.values().stream().map(f -> new GalleryStore.Face(f.id(), f.quality(), f.createdAt(),
                        Set.copyOf(f.models()))).toList();
            }
        });
    }

    List<float[]> templates(String tenant, String subjectId, String model) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        checkModel(model);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT embedding FROM gallery_template WHERE tenant = ? AND subject_id = ? "
                    + "AND model = ? ORDER BY face_id")) {
                query.setString(1, tenant);
                query.setString(2, subjectId);
                query.setString(3, model);
                var templates = new ArrayList<float[]>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        templates.add(column.get(row, 1));
                    }
                }
                return List.copyOf(templates);
            }
        });
    }

    long templates(String model) {
        checkModel(model);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT COUNT(*) FROM gallery_template WHERE model = ?")) {
                query.setString(1, model);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    List<GalleryStore.StoredFace> facesWithout(String model, long afterFaceId, int limit) {
        checkModel(model);
        if (limit < 1 || limit > MAX_PAGE) {
            throw invalid("limit must be 1 to " + MAX_PAGE);
        }
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT f.tenant, f.subject_id, f.face_id, f.quality, f.crop FROM gallery_face f "
                    + "WHERE f.face_id > ? AND NOT EXISTS (SELECT 1 FROM gallery_template t WHERE t.face_id = f.face_id "
                    + "AND t.model = ?) ORDER BY f.face_id LIMIT ?")) {
                query.setLong(1, afterFaceId);
                query.setString(2, model);
                query.setInt(3, limit);
                var faces = new ArrayList<GalleryStore.StoredFace>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        String tenant = row.getString(1);
                        String subjectId = row.getString(2);
                        faces.add(new GalleryStore.StoredFace(tenant, subjectId, row.getLong(3), row.getDouble(4),
                                openCrop(row.getBytes(5), tenant, subjectId)));
                    }
                }
                return List.copyOf(faces);
            }
        });
    }

    long countFacesWithout(String model) {
        checkModel(model);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT COUNT(*) FROM gallery_face f WHERE NOT EXISTS "
                    + "(SELECT 1 FROM gallery_template t WHERE t.face_id = f.face_id AND t.model = ?)")) {
                query.setString(1, model);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    /** Every mean, for the embedded store's index at start-up. */
    void forEachMean(MeanSink sink) {
        run(false, c -> {
            try (var query = c.prepareStatement("SELECT tenant, model, subject_id, faces, embedding FROM gallery_mean "
                    + "ORDER BY tenant, model, subject_id")) {
                query.setFetchSize(1000);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        sink.accept(row.getString(1), row.getString(2), row.getString(3),
                                new GalleryStore.Mean(column.get(row, 5), row.getInt(4)));
                    }
                }
            }
            return null;
        });
    }

    /** Means per tenant and model ("tenant\0model" → count), to size the index before loading it. */
    Map<String, Integer> meanCounts() {
        return run(false, c -> {
            var counts = new java.util.HashMap<String, Integer>();
            try (var query = c.prepareStatement("SELECT tenant, model, COUNT(*) FROM gallery_mean GROUP BY tenant, model");
                 ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    counts.put(row.getString(1) + "\u0000" + row.getString(2), row.getInt(3));
                }
            }
            return counts;
        });
    }

    /** The subject's means, by model (after a write: what the embedded store's index takes; a verification's template). */
    Map<String, GalleryStore.Mean> means(String tenant, String subjectId) {
        checkName("tenant", tenant);
        checkName("subject_id", subjectId);
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT model, faces, embedding FROM gallery_mean WHERE tenant = ? "
                    + "AND subject_id = ?")) {
                query.setString(1, tenant);
                query.setString(2, subjectId);
                var means = new java.util.TreeMap<String, GalleryStore.Mean>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        means.put(row.getString(1), new GalleryStore.Mean(column.get(row, 3), row.getInt(2)));
                    }
                }
                return means;
            }
        });
    }

    /**
     * Writes the mean of every subject and model that has templates and no mean (a gallery written before means were
     * kept: {@link MeanFill}, once), on {@code c}; how many were written.
     */
    static int fillMeans(Connection c, Column column) throws SQLException {
        int written = 0;
        try (var query = c.prepareStatement("SELECT t.tenant, t.model, t.subject_id, t.embedding FROM gallery_template t "
                + "WHERE NOT EXISTS (SELECT 1 FROM gallery_mean m WHERE m.tenant = t.tenant AND m.model = t.model "
                + "AND m.subject_id = t.subject_id) ORDER BY t.tenant, t.model, t.subject_id, t.face_id");
             var insert = c.prepareStatement("INSERT INTO gallery_mean (tenant, subject_id, model, faces, embedding) "
                     + "VALUES (?, ?, ?, ?, ?)")) {
            query.setFetchSize(1000);
            List<String> group = List.of();
            var templates = new ArrayList<float[]>();
            try (ResultSet row = query.executeQuery()) {
                while (true) {
                    boolean more = row.next();
                    List<String> key = more ? List.of(row.getString(1), row.getString(2), row.getString(3)) : List.of();
                    if (!templates.isEmpty() && !key.equals(group)) {
                        insert.setString(1, group.get(0));
                        insert.setString(2, group.get(2));
                        insert.setString(3, group.get(1));
                        insert.setInt(4, templates.size());
                        column.set(insert, 5, GalleryStore.mean(templates));
                        insert.addBatch();
                        templates.clear();
                        if (++written % 1000 == 0) {
                            insert.executeBatch();
                        }
                    }
                    if (!more) {
                        break;
                    }
                    group = key;
                    templates.add(column.get(row, 4));
                }
            }
            insert.executeBatch();
        }
        return written;
    }

    /** Every registered model and its dimension. */
    Map<String, Integer> dimensions() {
        return run(false, c -> {
            var all = new java.util.TreeMap<String, Integer>();
            try (var query = c.prepareStatement("SELECT model, dimension FROM gallery_model");
                 ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    all.put(row.getString(1), row.getInt(2));
                }
            }
            dimensions.putAll(all);
            return all;
        });
    }

    OptionalInt dimension(String model) {
        Integer known = dimensions.get(model);
        if (known != null) {
            return OptionalInt.of(known);
        }
        return run(false, c -> {
            try (var query = c.prepareStatement("SELECT dimension FROM gallery_model WHERE model = ?")) {
                query.setString(1, model);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return OptionalInt.empty();
                    }
                    dimensions.put(model, row.getInt(1));
                    return OptionalInt.of(row.getInt(1));
                }
            }
        });
    }

    Column column() {
        return column;
    }

    /** Runs {@code work} with a connection of the pool: in one transaction, or with auto-commit. */
    /** {@code SELECT 1}: the database answers (else {@code store_unavailable}). */
    void check() {
        run(false, c -> {
            try (var statement = c.createStatement(); ResultSet row = statement.executeQuery("SELECT 1")) {
                return row.next();
            }
        });
    }

    <T> T run(boolean transaction, Work<T> work) {
        try (Connection c = data.getConnection()) {
            if (!transaction) {
                return work.run(c);
            }
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the state and code only: a driver's message may quote the values of the statement
            throw new FaceoffException(ErrorCode.STORE_UNAVAILABLE, "gallery database error (SQLState "
                    + e.getSQLState() + ", code " + e.getErrorCode() + ")", 1);
        }
    }

    // ---- private

    /** The model's dimension: registered by its first template. */
    private int register(String model, int dimension) {
        OptionalInt known = dimension(model);
        if (known.isPresent()) {
            return known.getAsInt();
        }
        boolean inserted = run(false, c -> {
            try (var insert = c.prepareStatement("INSERT INTO gallery_model (model, dimension) VALUES (?, ?)")) {
                insert.setString(1, model);
                insert.setInt(2, dimension);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;   // registered meanwhile, by another writer
                }
                throw e;
            }
        });
        dimensions.remove(model);
        int registered = dimension(model).orElseThrow();
        if (inserted) {
            onNewModel.accept(model, registered);
        }
        return registered;
    }

    private void insertTemplate(Connection c, long faceId, String model, String tenant, String subjectId, float[] vector)
            throws SQLException {
        try (var insert = c.prepareStatement("INSERT INTO gallery_template (face_id, model, tenant, subject_id, embedding) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, faceId);
            insert.setString(2, model);
            insert.setString(3, tenant);
            insert.setString(4, subjectId);
            column.set(insert, 5, vector);
            insert.executeUpdate();
        }
    }

    /** The subject's mean of {@code model} made anew from its templates (gone when it has none), in the transaction. */
    private void writeMean(Connection c, String tenant, String subjectId, String model) throws SQLException {
        var templates = new ArrayList<float[]>();
        try (var query = c.prepareStatement("SELECT embedding FROM gallery_template WHERE tenant = ? AND subject_id = ? "
                + "AND model = ? ORDER BY face_id")) {
            query.setString(1, tenant);
            query.setString(2, subjectId);
            query.setString(3, model);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    templates.add(column.get(row, 1));
                }
            }
        }
        try (var delete = c.prepareStatement("DELETE FROM gallery_mean WHERE tenant = ? AND model = ? AND subject_id = ?")) {
            delete.setString(1, tenant);
            delete.setString(2, model);
            delete.setString(3, subjectId);
            delete.executeUpdate();
        }
        if (templates.isEmpty()) {
            return;
        }
        try (var insert = c.prepareStatement("INSERT INTO gallery_mean (tenant, subject_id, model, faces, embedding) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, tenant);
            insert.setString(2, subjectId);
            insert.setString(3, model);
            insert.setInt(4, templates.size());
            column.set(insert, 5, GalleryStore.mean(templates));
            insert.executeUpdate();
        }
    }

    private static boolean lockSubject(Connection c, String tenant, String subjectId) throws SQLException {
        try (var lock = c.prepareStatement("SELECT 1 FROM gallery_subject WHERE tenant = ? AND subject_id = ? FOR UPDATE")) {
            lock.setString(1, tenant);
            lock.setString(2, subjectId);
            try (ResultSet row = lock.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * The face's owner, with the owner's subject row locked and then the face's: every write of a subject's
     * templates holds its subject's lock (in that order, as {@link #addFace} and {@link #deleteSubject} take them),
     * so the subject's mean is made from what the writer before it committed. Empty if no such face.
     */
    private static Optional<Owner> lockFace(Connection c, long faceId) throws SQLException {
        Optional<Owner> owner = owner(c, faceId, "");
        if (owner.isEmpty() || !lockSubject(c, owner.get().tenant(), owner.get().subjectId())) {
            return Optional.empty();
        }
        return owner(c, faceId, " FOR UPDATE").filter(owner.get()::equals);   // still there, still theirs
    }

    private static Optional<Owner> owner(Connection c, long faceId, String lock) throws SQLException {
        try (var query = c.prepareStatement("SELECT tenant, subject_id FROM gallery_face WHERE face_id = ?" + lock)) {
            query.setLong(1, faceId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new Owner(row.getString(1), row.getString(2))) : Optional.empty();
            }
        }
    }

    private static Optional<GalleryStore.Subject> subject(Connection c, String tenant, String subjectId) throws SQLException {
        try (var query = c.prepareStatement("SELECT subject_id, metadata, created_at, updated_at FROM gallery_subject "
                + "WHERE tenant = ? AND subject_id = ?")) {
            query.setString(1, tenant);
            query.setString(2, subjectId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(subject(row)) : Optional.empty();
            }
        }
    }

    private static GalleryStore.Subject subject(ResultSet row) throws SQLException {
        return new GalleryStore.Subject(row.getString(1), Optional.ofNullable(row.getString(2)),
                row.getObject(3, OffsetDateTime.class).toInstant(), row.getObject(4, OffsetDateTime.class).toInstant());
    }

    private Optional<byte[]> openCrop(byte[] sealed, String tenant, String subjectId) {
        if (sealed == null || cipher.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher.get().open(sealed, tenant, subjectId));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored face does not open with faceoff.gallery.face-key (another key?)");
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    static void checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw invalid(what + " must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
        }
    }

    static void checkModel(String model) {
        if (model == null || !MODEL.matcher(model).matches()) {
            throw invalid("a model name is 1 to 128 of A-Z a-z 0-9 . _ -");
        }
    }

    private static void checkMetadata(String json) {
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            throw invalid("metadata is at most " + MAX_METADATA_BYTES + " bytes of JSON");
        }
        try {
            if (!JSON.readTree(json).isObject()) {
                throw invalid("metadata must be a JSON object");
            }
        } catch (JacksonException e) {
            throw invalid("metadata must be a JSON object");
        }
    }

    /** A unit vector of finite values (the query of a search, or a template). */
    static void checkUnit(String model, float[] vector) {
        checkModel(model);
        if (vector == null || vector.length == 0) {
            throw invalid("an embedding of model " + model + " is empty");
        }
        double norm = 0;
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                throw invalid("an embedding of model " + model + " has a value that is not finite");
            }
            norm += (double) v * v;
        }
        if (Math.abs(Math.sqrt(norm) - 1) > 1e-3) {
            throw invalid("an embedding of model " + model + " is not a unit vector");
        }
    }

    private static void checkDimension(String model, float[] vector, int dimension) {
        if (vector.length != dimension) {
            throw invalid("an embedding of model " + model + " has " + vector.length
                    + " values; the gallery's templates of that model have " + dimension);
        }
    }

    static FaceoffException invalid(String detail) {
        return new FaceoffException(ErrorCode.INVALID_REQUEST, detail);
    }
}
