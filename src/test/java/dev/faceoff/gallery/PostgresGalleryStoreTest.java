package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The gallery contract on the postgres store: a real PostgreSQL 15 + pgvector (a local cluster, {@link PostgresServer};
 * {@link PostgresContainerGalleryStoreTest} runs the same tests on Testcontainers' image), a new database per test. Plus what only this store has: a partial HNSW index per model, used by the search.
 */
class PostgresGalleryStoreTest extends GalleryStoreContract {

    static TestPostgres server;
    String url;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    GalleryStore openNew(Optional<FaceCipher> cipher) throws SQLException {
        url = server.createDatabase();
        return reopen(cipher);
    }

    @Override
    GalleryStore reopen(Optional<FaceCipher> cipher) {
        return PostgresGalleryStore.open(new GalleryProperties.Postgres(url, "postgres", "", 40, 2), cipher);
    }

    @Override
    Connection jdbc() throws SQLException {
        return PostgresServer.connectUrl(url);
    }

    @Test
    void theDatabaseDownAndBackWithoutReopeningTheStore() throws Exception {
        store.putSubject("acme", "alice", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, 0, 0, 0)), NO_CROP).orElseThrow();
        server.stop();
        try {
            assertThatThrownBy(() -> store.addFace("acme", "alice", 0.8, Map.of("a", unit(0, 1, 0, 0)), NO_CROP))
                    .isInstanceOfSatisfying(FaceoffException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
            assertThatThrownBy(() -> store.search("acme", "a", unit(1, 0, 0, 0), 5))
                    .isInstanceOfSatisfying(FaceoffException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
            assertThatThrownBy(store::check).isInstanceOf(FaceoffException.class);
        } finally {
            server.restart();
        }
        // the same store object serves again (its pool reconnects: the first call may still meet a connection of
        // the stopped server), and the face refused while the database was down is not there
        backWithinCalls(3);
        assertThat(store.search("acme", "a", unit(1, 0, 0, 0), 5)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("alice");
        assertThat(store.faces("acme", "alice")).hasSize(1);
        assertThat(store.addFace("acme", "alice", 0.8, Map.of("a", unit(0, 1, 0, 0)), NO_CROP)).isPresent();
        assertThat(store.faces("acme", "alice")).hasSize(2);
    }

    /** The store answers {@code check} within {@code calls} calls; each call waits for a connection as the pool allows. */
    @Test
    void theCountsStayExactUnderConcurrentEnrolmentsFromSeveralConnections() throws Exception {
        // four writers at once (the pool's connections, as replicas would), faces of shared and own subjects;
        // the trigger-kept counts then equal a COUNT over the templates
        for (int s = 0; s < 8; s++) {
            store.putSubject("acme", "s" + s, Optional.empty());
        }
        concurrently(4, writer -> {
            var random = new java.util.Random(writer);
            for (int i = 0; i < 25; i++) {
                String subject = "s" + (i % 2 == 0 ? writer : 4 + random.nextInt(4));
                store.addFace("acme", subject, 0.9, Map.of("a", randomUnit(random, 4), "b", randomUnit(random, 4)), NO_CROP)
                        .orElseThrow();
            }
        });
        try (Connection c = jdbc(); var q = c.createStatement();
             ResultSet row = q.executeQuery("SELECT COUNT(DISTINCT subject_id), COUNT(*) FROM gallery_template "
                     + "WHERE tenant = 'acme' AND model = 'a'")) {
            row.next();
            assertThat(store.count("acme", "a")).isEqualTo(new GalleryStore.Counts(row.getLong(1), row.getLong(2)));
            assertThat(store.count("acme", "a")).isEqualTo(new GalleryStore.Counts(8, 100));
            assertThat(store.count("acme", "b")).isEqualTo(new GalleryStore.Counts(8, 100));
        }
    }

    @Test
    void eachSubjectsMeanIsTheMeanOfItsTemplatesAfterConcurrentWritesOfItsFaces() throws Exception {
        // four writers at once on four shared subjects: faces added, deleted and their templates replaced (a
        // re-enrolment), each write making the subject's mean anew; afterwards every mean is its templates' mean
        for (int s = 0; s < 4; s++) {
            store.putSubject("acme", "s" + s, Optional.empty());
        }
        concurrently(4, writer -> {
            var random = new java.util.Random(100 + writer);
            var mine = new ArrayList<Long>();
            for (int i = 0; i < 30; i++) {
                String subject = "s" + random.nextInt(4);
                int op = random.nextInt(4);
                if (op == 0 && !mine.isEmpty()) {
                    assertThat(store.deleteFace("acme", mine.remove(random.nextInt(mine.size())))).isTrue();
                } else if (op == 1 && !mine.isEmpty()) {
                    assertThat(store.addTemplate(mine.get(random.nextInt(mine.size())), "a", randomUnit(random, 4))).isTrue();
                } else {
                    mine.add(store.addFace("acme", subject, 0.9, Map.of("a", randomUnit(random, 4)), NO_CROP).orElseThrow());
                }
            }
        });
        float[] query = randomUnit(new java.util.Random(5), 4);
        var found = store.search("acme", "a", query, 10);
        assertThat(found).isNotEmpty();
        for (var match : found) {
            var templates = store.templates("acme", match.subjectId(), "a");
            assertThat(match.similarity()).as(match.subjectId())
                    .isCloseTo(GalleryStoreContract.dot(query, meanOf(templates)), org.assertj.core.api.Assertions.within(1e-5));
        }
        assertThat(found).hasSize((int) store.count("acme", "a").subjects());
    }

    /** {@code writers} threads at once, each running {@code work} with its number; rethrows the first failure. */
    private static void concurrently(int writers, java.util.function.IntConsumer work) throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            var running = new ArrayList<java.util.concurrent.Future<?>>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> work.accept(writer)));
            }
            for (var f : running) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void backWithinCalls(int calls) {
        for (int call = 1; ; call++) {
            try {
                store.check();
                return;
            } catch (FaceoffException e) {
                if (call == calls) {
                    throw e;
                }
            }
        }
    }

    @Test
    void eachModelHasAPartialHnswIndexThatTheSearchUses() throws SQLException {
        store.putSubject("acme", "alice", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, 0, 0, 0), "b.v2", unit(0, 1, 0)), NO_CROP);
        var indexes = new ArrayList<String>();
        try (Connection c = jdbc(); var query = c.createStatement();
             ResultSet row = query.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'gallery_mean_hnsw_%'")) {
            while (row.next()) {
                indexes.add(row.getString(1));
            }
        }
        assertThat(indexes).hasSize(2).anySatisfy(d -> assertThat(d).contains("USING hnsw")
                .contains("(embedding)::vector(4)").contains("vector_cosine_ops").contains("WHERE ((model)::text = 'a'::text)"));
        assertThat(indexes).anySatisfy(d -> assertThat(d).contains("vector(3)").contains("'b.v2'"));

        var plan = new StringBuilder();
        try (Connection c = jdbc(); var statement = c.createStatement()) {
            statement.execute("SET enable_seqscan = off");
            statement.execute("SET enable_bitmapscan = off");
            try (ResultSet row = statement.executeQuery("EXPLAIN SELECT subject_id FROM gallery_mean WHERE model = 'a' "
                    + "AND tenant = 'acme' ORDER BY embedding::vector(4) <=> '[1,0,0,0]'::vector(4) LIMIT 10")) {
                while (row.next()) {
                    plan.append(row.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan.toString()).contains("Index Scan using " + PostgresGalleryStore.indexName("a"));
    }

    @Test
    void aTenantOfMoreThanAFewHundredSubjectsIsSearchedThroughTheIndexNotBySortingItsRows() throws SQLException {
        var random = new java.util.Random(41);
        int n = PostgresGalleryStore.INDEX_ABOVE + 1;
        var templates = new java.util.HashMap<String, float[]>();
        for (int i = 0; i < n; i++) {
            String subject = String.format("s%04d", i);
            store.putSubject("acme", subject, Optional.empty());
            float[] t = randomUnit(random, 16);
            store.addFace("acme", subject, 0.9, Map.of("m", t), NO_CROP).orElseThrow();
            templates.put(subject, t);
        }
        try (Connection c = jdbc(); var statement = c.createStatement()) {
            statement.execute("ANALYZE gallery_mean");
        }
        String query = "EXPLAIN SELECT subject_id FROM gallery_mean WHERE model = 'm' AND tenant = '%s' "
                + "ORDER BY embedding::vector(16) <=> '" + java.util.Arrays.toString(randomUnit(random, 16)) + "'::vector(16) LIMIT 100";
        String index = "Index Scan using " + PostgresGalleryStore.indexName("m");
        assertThat(plan(List.of(), query.formatted("acme"))).as("the planner's own choice for a small table")
                .doesNotContain(index);
        assertThat(plan(PostgresGalleryStore.settings(200, n), query.formatted("acme"))).contains(index);
        assertThat(PostgresGalleryStore.settings(200, PostgresGalleryStore.INDEX_ABOVE)).as("a few subjects: the planner's")
                .noneMatch(setting -> setting.contains("enable_"));

        // and the search through the index finds what the exact scan finds
        float[] probe = templates.get("s0123").clone();
        probe[0] += 0.2f;
        probe = GalleryStoreContract.unit(toDoubles(probe));
        var found = store.search("acme", "m", probe, 5);
        assertThat(found.get(0).subjectId()).isEqualTo("s0123");
        float[] q = probe;
        var exact = templates.entrySet().stream()
                .sorted(java.util.Comparator.<java.util.Map.Entry<String, float[]>>comparingDouble(e -> -GalleryStoreContract.dot(q, e.getValue())))
                .limit(5).map(java.util.Map.Entry::getKey).toList();
        assertThat(found).extracting(GalleryStore.Match::subjectId).isEqualTo(exact);
    }

    private String plan(List<String> settings, String query) throws SQLException {
        var plan = new StringBuilder();
        try (Connection c = jdbc(); var statement = c.createStatement()) {
            c.setAutoCommit(false);
            for (String setting : settings) {
                statement.execute(setting);
            }
            try (ResultSet row = statement.executeQuery(query)) {
                while (row.next()) {
                    plan.append(row.getString(1)).append('\n');
                }
            }
            c.rollback();
        }
        return plan.toString();
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
