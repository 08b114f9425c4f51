package dev.faceoff.gallery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import com.pgvector.PGvector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.faceoff.common.Digests;

/**
 * The gallery in PostgreSQL 15 + pgvector, shared by every replica (schema by Flyway,
 * {@code db/migration/postgres}). A subject is searched by its mean template of the model ({@code gallery_mean});
 * each model has a partial HNSW index on {@code embedding::vector(dimension)} of the means
 * ({@code vector_cosine_ops}), made when the model's first template arrives. A search asks the index for
 * candidates ({@code hnsw.ef_search}, iterative scans so the tenant filter still leaves enough) and re-scores
 * them exactly in Java: the index only chooses which subjects are scored, every similarity is exact.
 */
final class PostgresGalleryStore extends JdbcGalleryStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresGalleryStore.class);
    /** Subjects asked of the index (at least; k when more), all re-scored exactly. */
    static final int MIN_CANDIDATES = 100;
    static final int MAX_CANDIDATES = 1000;
    /**
     * Above this many subjects of the tenant and model the search walks the HNSW index whatever the planner
     * estimates: it costs a sequential scan and sort of a small table less than the index, but each row's
     * 512-d distance (and the vector's TOAST) makes that 37 ms at 3,000 rows against 4.5 ms through the index
     * (EXPLAIN ANALYZE, docs/gallery.md); at 500 the scan takes about 7 ms, and below, it is the planner's choice.
     */
    static final int INDEX_ABOVE = 500;
    /**
     * The duplicate check's short list and walk ({@link #closestOther}): at 100,000 subjects 1.5 ms against an
     * identification's 8 ms ({@code EXPLAIN ANALYZE}, docs/gallery.md).
     */
    static final int DUPLICATE_CANDIDATES = 10;
    static final int DUPLICATE_EF_SEARCH = 40;

    static final long CONNECTION_TIMEOUT_MS = 2_000;

    private final int efSearch;

    private PostgresGalleryStore(HikariDataSource data, Optional<FaceCipher> cipher, int efSearch) {
        super(data, GalleryTables.Column.POSTGRES, cipher);
        this.efSearch = efSearch;
    }

    static PostgresGalleryStore open(GalleryProperties.Postgres database, Optional<FaceCipher> cipher) {
        var config = new HikariConfig();
        config.setPoolName("gallery");
        config.setJdbcUrl(database.url());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setMaximumPoolSize(database.poolSize());
        // a database that is down answers store_unavailable within about two seconds, not Hikari's 30 s (a
        // request's deadline is 5 s); a connection that stops answering mid-query is given up after 10 s
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(1_000);
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        var data = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(data).locations("classpath:db/migration/postgres")
                    .javaMigrations(new MeanFill("4", GalleryTables.Column.POSTGRES)).load().migrate();
            var store = new PostgresGalleryStore(data, cipher, database.efSearch());
            Map<String, Integer> models = store.tables.dimensions();
            models.forEach(store::createIndex);
            log.info("gallery: postgres store {}, {} models with an HNSW index", database.url(), models.size());
            return store;
        } catch (RuntimeException e) {
            data.close();
            throw e;
        }
    }

    @Override
    void modelRegistered(String model, int dimension) {
        createIndex(model, dimension);
    }

    /** The partial HNSW index of one model's means (idempotent; another replica may make it first). */
    void createIndex(String model, int dimension) {
        GalleryTables.checkModel(model);   // its name goes into the statement: letters, digits, . _ - only
        String sql = "CREATE INDEX IF NOT EXISTS " + indexName(model) + " ON gallery_mean USING hnsw "
                + "((embedding::vector(" + dimension + ")) vector_cosine_ops) WHERE model = '" + model + "'";
        tables.run(false, c -> {
            // building the index over a large table takes minutes (109 s for 100,000 rows on 2 cores): the
            // 10 s socket timeout of the pool's requests is lifted for this statement (Hikari restores it)
            c.setNetworkTimeout(Runnable::run, 0);
            try (var statement = c.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                // 42P07 / 23505: made at this moment by another replica
                if (!"42P07".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
            return null;
        });
    }

    /**
     * The search transaction's settings: the index's candidate list, iterative scans (so the tenant filter still
     * leaves enough), and above {@link #INDEX_ABOVE} subjects the index imposed (only it gives the order without a sort).
     */
    static List<String> settings(int efSearch, long subjects) {
        var settings = new ArrayList<>(List.of("SET LOCAL hnsw.ef_search = " + efSearch,
                "SET LOCAL hnsw.iterative_scan = relaxed_order"));
        if (subjects > INDEX_ABOVE) {
            settings.add("SET LOCAL enable_seqscan = off");
            settings.add("SET LOCAL enable_sort = off");
        }
        return settings;
    }

    /** A vector from pgvector's binary form: int16 dimension, int16 unused, then the float4 values, big-endian. */
    static float[] fromVectorSend(byte[] bytes) {
        var buffer = java.nio.ByteBuffer.wrap(bytes);   // big-endian, as PostgreSQL sends
        float[] vector = new float[buffer.getShort() & 0xFFFF];
        buffer.getShort();
        buffer.asFloatBuffer().get(vector);
        return vector;
    }

    static String indexName(String model) {
        byte[] digest = Digests.sha256().digest(model.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "gallery_mean_hnsw_" + HexFormat.of().formatHex(digest, 0, 8);
    }

    @Override
    public List<Match> search(String tenant, String model, float[] unitQuery, int k) {
        if (k < 1 || k > GalleryTables.MAX_PAGE) {
            throw GalleryTables.invalid("k must be 1 to " + GalleryTables.MAX_PAGE);
        }
        int candidates = Math.min(MAX_CANDIDATES, Math.max(MIN_CANDIDATES, k));
        List<Match> ranked = rescored(tenant, model, unitQuery, candidates, Math.max(efSearch, candidates));
        return List.copyOf(ranked.subList(0, Math.min(k, ranked.size())));
    }

    @Override
    public Optional<Match> closestOther(String tenant, String model, float[] unitQuery, String except) {
        return rescored(tenant, model, unitQuery, DUPLICATE_CANDIDATES, DUPLICATE_EF_SEARCH).stream()
                .filter(m -> !m.subjectId().equals(except)).findFirst();
    }

    /**
     * The index's first {@code candidates} subjects for the query (its walk's list {@code efSearch} long), re-scored
     * exactly: highest first, ties by subject id.
     */
    private List<Match> rescored(String tenant, String model, float[] unitQuery, int candidates, int efSearch) {
        GalleryTables.checkName("tenant", tenant);
        GalleryTables.checkUnit(model, unitQuery);
        OptionalInt dimension = tables.dimension(model);
        if (dimension.isEmpty()) {
            return List.of();
        }
        int d = dimension.getAsInt();
        if (unitQuery.length != d) {
            throw GalleryTables.invalid("a query of model " + model + " has " + unitQuery.length
                    + " values; the gallery's templates of that model have " + d);
        }
        // the model as a literal (checked: letters, digits, . _ -): the planner matches the partial index by it
        // the candidates' vectors in pgvector's binary form (vector_send: dimension, unused, big-endian float4):
        // exactly the stored floats, and cheaper both ways than the text form (measured: bench/gallery.py)
        String sql = "SELECT subject_id, vector_send(embedding) FROM gallery_mean WHERE model = '" + model + "' AND tenant = ? "
                + "ORDER BY embedding::vector(" + d + ") <=> ?::vector(" + d + ") LIMIT ?";
        List<Match> ranked = tables.run(true, c -> {
            long subjects = 0;
            try (var count = c.prepareStatement("SELECT subjects FROM gallery_count WHERE tenant = ? AND model = ?")) {
                count.setString(1, tenant);
                count.setString(2, model);
                try (ResultSet row = count.executeQuery()) {
                    subjects = row.next() ? row.getLong(1) : 0;
                }
            }
            try (var settings = c.createStatement()) {
                settings.execute(String.join("; ", settings(Math.min(MAX_CANDIDATES, efSearch), subjects)));   // one round trip
            }
            var scored = new ArrayList<Match>();
            try (var query = c.prepareStatement(sql)) {
                query.setString(1, tenant);
                query.setObject(2, new PGvector(unitQuery));
                query.setInt(3, candidates);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        float[] template = fromVectorSend(row.getBytes(2));
                        scored.add(new Match(row.getString(1), TemplateMatrix.dot(unitQuery, template, 0)));
                    }
                }
            }
            return scored;
        });
        ranked.sort(Comparator.comparingDouble(Match::similarity).reversed().thenComparing(Match::subjectId));
        return ranked;
    }

    @Override
    public boolean deleteSubject(String tenant, String subjectId) {
        return tables.deleteSubject(tenant, subjectId);
    }

    @Override
    public OptionalLong addFace(String tenant, String subjectId, double quality, Map<String, float[]> templates,
                                Optional<byte[]> alignedCrop, Runnable beforeCommit) {
        return tables.addFace(tenant, subjectId, quality, templates, alignedCrop, beforeCommit);
    }

    @Override
    public boolean deleteFace(String tenant, long faceId) {
        return tables.deleteFace(tenant, faceId).isPresent();
    }

    /**
     * The counts of one tenant and model (the N of every identification and duplicate check): one row of
     * {@code gallery_count}, kept exact by a trigger in every transaction that writes or deletes templates
     * (migration V2), so another replica's write is seen as soon as it commits.
     */
    @Override
    public Counts count(String tenant, String model) {
        GalleryTables.checkName("tenant", tenant);
        GalleryTables.checkModel(model);
        return tables.run(false, c -> {
            try (var query = c.prepareStatement("SELECT subjects, templates FROM gallery_count WHERE tenant = ? AND model = ?")) {
                query.setString(1, tenant);
                query.setString(2, model);
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? new Counts(row.getLong(1), row.getLong(2)) : new Counts(0, 0);
                }
            }
        });
    }

    /** Every tenant's templates of the model (the {@code faceoff_gallery_faces} gauge): from {@code gallery_count}. */
    @Override
    public long templates(String model) {
        GalleryTables.checkModel(model);
        return tables.run(false, c -> {
            try (var query = c.prepareStatement("SELECT COALESCE(SUM(templates), 0) FROM gallery_count WHERE model = ?")) {
                query.setString(1, model);
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean addTemplate(long faceId, String model, float[] template) {
        return tables.addTemplate(faceId, model, template).isPresent();
    }

}
