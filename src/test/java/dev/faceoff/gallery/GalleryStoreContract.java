package dev.faceoff.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * What every {@link GalleryStore} does, run against each store on a real database ({@link
 * EmbeddedGalleryStoreTest}: H2 in a file; {@link PostgresGalleryStoreTest}: PostgreSQL + pgvector). Reads the
 * tables with plain JDBC where the contract is about what is stored (erasure, all-or-nothing, sealed crops).
 */
abstract class GalleryStoreContract {

    static final FaceCipher CIPHER = FaceCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
    static final Optional<byte[]> NO_CROP = Optional.empty();

    GalleryStore store;

    /** A store on a new, empty database, or ({@link #reopen}) on the same database again. */
    abstract GalleryStore openNew(Optional<FaceCipher> cipher) throws Exception;

    abstract GalleryStore reopen(Optional<FaceCipher> cipher) throws Exception;

    /** A plain JDBC connection to the store's database. */
    abstract Connection jdbc() throws SQLException;

    @BeforeEach
    void open() throws Exception {
        store = openNew(Optional.of(CIPHER));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void theHealthCheckAnswersWhileTheDatabaseDoesAndIsStoreUnavailableOnceItIsGone() {
        store.check();
        store.close();
        assertThatThrownBy(store::check).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    }

    @Test
    void puttingASubjectTwiceLeavesOneAndReplacesItsMetadata() {
        var first = store.putSubject("acme", "alice", Optional.of("{\"team\":\"red\"}"));
        var again = store.putSubject("acme", "alice", Optional.of("{\"team\":\"red\"}"));
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.subject()).isEqualTo(first.subject());

        var changed = store.putSubject("acme", "alice", Optional.of("{\"team\":\"blue\"}"));
        assertThat(changed.created()).isFalse();
        assertThat(changed.subject().metadata()).contains("{\"team\":\"blue\"}");
        assertThat(changed.subject().createdAt()).isEqualTo(first.subject().createdAt());
        assertThat(changed.subject().updatedAt()).isAfterOrEqualTo(first.subject().updatedAt());
        assertThat(store.subjects("acme", Optional.empty(), 10).subjects()).extracting(GalleryStore.Subject::id)
                .containsExactly("alice");
        assertThat(store.subject("acme", "alice")).contains(changed.subject());
        assertThat(store.subject("acme", "bob")).isEmpty();
    }

    @Test
    void subjectIdsAndMetadataAreChecked() {
        String fits = "{\"a\":\"" + "x".repeat(4096 - 8) + "\"}";
        assertThat(fits).hasSize(4096);
        assertThat(store.putSubject("acme", "a.b_c@d-e", Optional.of(fits)).created()).isTrue();
        assertThat(store.putSubject("acme", "x".repeat(64), Optional.empty()).created()).isTrue();

        String over = "{\"a\":\"" + "x".repeat(4096 - 7) + "\"}";
        for (Runnable bad : List.<Runnable>of(
                () -> store.putSubject("acme", "too-long", Optional.of(over)),
                () -> store.putSubject("acme", "array", Optional.of("[1,2]")),
                () -> store.putSubject("acme", "broken", Optional.of("{\"a\":")),
                () -> store.putSubject("acme", "", Optional.empty()),
                () -> store.putSubject("acme", "x".repeat(65), Optional.empty()),
                () -> store.putSubject("acme", "with space", Optional.empty()),
                () -> store.putSubject("acme", "semi;colon", Optional.empty()),
                () -> store.putSubject("ac'me", "fine", Optional.empty()))) {
            assertThatThrownBy(bad::run).isInstanceOfSatisfying(FaceoffException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }
        assertThat(store.subjects("acme", Optional.empty(), 10).subjects()).hasSize(2);
    }

    @Test
    void subjectsComeInPagesInIdOrder() {
        var ids = new ArrayList<String>();
        for (int i = 24; i >= 0; i--) {
            ids.add(String.format("s%02d", i));
            store.putSubject("acme", String.format("s%02d", i), Optional.empty());
        }
        store.putSubject("other", "s00x", Optional.empty());
        var seen = new ArrayList<String>();
        Optional<String> cursor = Optional.empty();
        var sizes = new ArrayList<Integer>();
        do {
            var page = store.subjects("acme", cursor, 10);
            sizes.add(page.subjects().size());
            page.subjects().forEach(s -> seen.add(s.id()));
            cursor = page.next();
        } while (cursor.isPresent());
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(seen).isEqualTo(ids.stream().sorted().toList());
        assertThat(store.subjects("acme", Optional.of("s24"), 10).subjects()).isEmpty();
    }

    @Test
    void aTenantNeverSeesAnothersSubjects() {
        store.putSubject("acme", "alice", Optional.of("{\"who\":\"acme's\"}"));
        long acmeFace = store.addFace("acme", "alice", 0.9, Map.of("m", unit(1, 0, 0, 0)), NO_CROP).orElseThrow();
        store.putSubject("globex", "bob", Optional.empty());
        store.addFace("globex", "bob", 0.9, Map.of("m", unit(1, 0, 0, 0)), NO_CROP).orElseThrow();

        assertThat(store.subject("globex", "alice")).isEmpty();
        assertThat(store.subjects("globex", Optional.empty(), 10).subjects()).extracting(GalleryStore.Subject::id)
                .containsExactly("bob");
        assertThat(store.search("globex", "m", unit(1, 0, 0, 0), 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("bob");
        assertThat(store.search("initech", "m", unit(1, 0, 0, 0), 10)).isEmpty();
        assertThat(store.count("globex", "m")).isEqualTo(new GalleryStore.Counts(1, 1));
        assertThat(store.addFace("globex", "alice", 0.9, Map.of("m", unit(1, 0, 0, 0)), NO_CROP)).isEmpty();
        assertThat(store.deleteFace("globex", acmeFace)).isFalse();
        assertThat(store.deleteSubject("globex", "alice")).isFalse();
        assertThat(store.models("globex", "alice")).isEmpty();

        // the same subject id in another tenant is another subject
        assertThat(store.putSubject("globex", "alice", Optional.empty()).created()).isTrue();
        assertThat(store.subject("acme", "alice").orElseThrow().metadata()).contains("{\"who\":\"acme's\"}");
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("alice");
        assertThat(store.deleteFace("acme", acmeFace)).isTrue();
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 10)).isEmpty();
    }

    @Test
    void aFaceIsWrittenWholeOrNotAtAll() throws SQLException {
        store.putSubject("acme", "alice", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, 0, 0, 0), "b", unit(0, 1, 0, 0)), NO_CROP).orElseThrow();
        // "a" is written before "b" in the transaction; b's template has the wrong dimension: nothing of the face stays
        assertThatThrownBy(() -> store.addFace("acme", "alice", 0.8,
                Map.of("a", unit(0, 0, 1, 0), "b", unit(0, 1, 0)), Optional.of(new byte[] {1, 2, 3})))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThat(rows("SELECT COUNT(*) FROM gallery_face")).isEqualTo(1);
        assertThat(rows("SELECT COUNT(*) FROM gallery_template")).isEqualTo(2);
        assertThat(store.count("acme", "a")).isEqualTo(new GalleryStore.Counts(1, 1));
        assertThat(store.search("acme", "a", unit(0, 0, 1, 0), 5)).singleElement()
                .satisfies(m -> assertThat(m.similarity()).isCloseTo(0, within(1e-6)));

        assertThat(store.addFace("acme", "nobody", 0.9, Map.of("a", unit(1, 0, 0, 0)), NO_CROP)).isEmpty();
        assertThatThrownBy(() -> store.addFace("acme", "alice", 0.9, Map.of("a", new float[] {1, 1, 0, 0}), NO_CROP))
                .as("not a unit vector").isInstanceOf(FaceoffException.class);
        assertThatThrownBy(() -> store.addFace("acme", "alice", 0.9, Map.of("a", new float[] {Float.NaN, 0, 0, 1}), NO_CROP))
                .isInstanceOf(FaceoffException.class);
        assertThat(rows("SELECT COUNT(*) FROM gallery_face")).isEqualTo(1);
    }

    @Test
    void aFaceWhoseCheckBeforeCommitFailsIsNotWrittenAndTheCheckSeesOthersMeanwhile() throws SQLException {
        store.putSubject("acme", "alice", Optional.empty());
        store.putSubject("acme", "bob", Optional.empty());
        store.addFace("acme", "bob", 0.9, Map.of("a", unit(0, 1, 0, 0)), NO_CROP).orElseThrow();
        var refused = new FaceoffException(ErrorCode.STORE_UNAVAILABLE, "the check failed");
        assertThatThrownBy(() -> store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, 0, 0, 0)), NO_CROP, () -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(rows("SELECT COUNT(*) FROM gallery_face")).isEqualTo(1);
        assertThat(rows("SELECT COUNT(*) FROM gallery_template")).isEqualTo(1);
        assertThat(store.count("acme", "a")).isEqualTo(new GalleryStore.Counts(1, 1));
        assertThat(store.faces("acme", "alice")).isEmpty();
        assertThat(store.search("acme", "a", unit(1, 0, 0, 0), 5)).extracting(GalleryStore.Match::subjectId).containsExactly("bob");

        // the check runs while the face is written, from another thread, as an enrolment runs it: it sees bob, not alice
        var seen = new java.util.concurrent.atomic.AtomicReference<Optional<GalleryStore.Match>>();
        long face = store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, 0, 0, 0)), NO_CROP, () -> {
            var check = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> store.closestOther("acme", "a", unit(0.6f, 0.8f, 0, 0), "alice"));
            seen.set(check.join());
        }).orElseThrow();
        assertThat(seen.get()).hasValueSatisfying(m -> {
            assertThat(m.subjectId()).isEqualTo("bob");
            assertThat(m.similarity()).isCloseTo(0.8, within(1e-6));
        });
        assertThat(store.faces("acme", "alice")).extracting(GalleryStore.Face::id).containsExactly(face);
        assertThat(store.closestOther("acme", "a", unit(0.8f, 0.6f, 0, 0), "bob")).hasValueSatisfying(m ->
                assertThat(m.subjectId()).isEqualTo("alice"));
        assertThat(store.closestOther("acme", "a", unit(0.8f, 0.6f, 0, 0), "nobody")).map(GalleryStore.Match::subjectId)
                .hasValue("alice");
        assertThat(store.closestOther("acme", "unknown-model", unit(1, 0, 0, 0), "alice")).isEmpty();
    }

    @Test
    void searchScoresEachSubjectByTheNormalisedMeanOfItsFaces() {
        for (String s : List.of("alice", "bob", "carol")) {
            store.putSubject("acme", s, Optional.empty());
        }
        float[] query = unit(1, 0, 0, 0);
        long aliceFar = store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.5)), NO_CROP).orElseThrow();
        long aliceNear = store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.9)), NO_CROP).orElseThrow();
        store.addFace("acme", "bob", 0.9, Map.of("m", atCosine(0.8)), NO_CROP).orElseThrow();
        store.addFace("acme", "carol", 0.9, Map.of("m", atCosine(0.95)), NO_CROP).orElseThrow();
        // alice's mean of (0.5, 0.866) and (0.9, 0.436): (1.4, 1.302) / 1.9118, cosine 0.7323 with the query
        double aliceMean = (0.5 + 0.9) / Math.hypot(0.5 + 0.9, Math.sqrt(1 - 0.25) + Math.sqrt(1 - 0.81));

        var top2 = store.search("acme", "m", query, 2);
        assertThat(top2).extracting(GalleryStore.Match::subjectId).containsExactly("carol", "bob");
        assertThat(top2.get(0).similarity()).isCloseTo(0.95, within(1e-6));
        var all = store.search("acme", "m", query, 10);
        assertThat(all).extracting(GalleryStore.Match::subjectId).containsExactly("carol", "bob", "alice");
        assertThat(all.get(2).similarity()).isCloseTo(aliceMean, within(1e-6));
        assertThat(store.count("acme", "m")).isEqualTo(new GalleryStore.Counts(3, 4));
        // the kept mean is the one computed from the subject's templates, what a verification against alice scores
        assertThat(store.mean("acme", "alice", "m")).hasValueSatisfying(mean -> {
            assertThat(mean.faces()).isEqualTo(2);
            assertThat(mean.template()).containsExactly(GalleryStore.mean(store.templates("acme", "alice", "m")));
        });
        assertThat(store.mean("acme", "alice", "unknown-model")).isEmpty();
        assertThat(store.mean("acme", "nobody", "m")).isEmpty();
        assertThat(store.mean("globex", "alice", "m")).as("another tenant's").isEmpty();

        assertThat(store.deleteFace("acme", aliceFar)).isTrue();
        assertThat(store.search("acme", "m", query, 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("carol", "alice", "bob");
        assertThat(store.search("acme", "m", query, 10).get(1).similarity()).as("alice's one face")
                .isCloseTo(0.9, within(1e-6));
        assertThat(store.mean("acme", "alice", "m")).hasValueSatisfying(mean -> assertThat(mean.faces()).isEqualTo(1));
        assertThat(store.deleteFace("acme", aliceNear)).isTrue();
        assertThat(store.mean("acme", "alice", "m")).isEmpty();
        assertThat(store.search("acme", "m", query, 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("carol", "bob");
        assertThat(store.count("acme", "m")).isEqualTo(new GalleryStore.Counts(2, 2));
        assertThat(store.search("acme", "unknown-model", query, 10)).isEmpty();
        assertThatThrownBy(() -> store.search("acme", "m", unit(1, 0, 0), 10)).isInstanceOf(FaceoffException.class);
    }

    @Test
    void aSubjectsOneFaceIsItsTemplateExactly() {
        store.putSubject("acme", "alice", Optional.empty());
        float[] template = randomUnit(new Random(5), 128);
        store.addFace("acme", "alice", 0.9, Map.of("m", template), NO_CROP).orElseThrow();
        assertThat(store.search("acme", "m", template, 1)).singleElement()
                .satisfies(m -> assertThat(m.similarity()).isEqualTo((double) TemplateMatrix.dot(template, template, 0)));
    }

    @Test
    void aSubjectsFacesAndTemplatesAreListedPerTenantAndModel() {
        store.putSubject("acme", "alice", Optional.empty());
        store.putSubject("globex", "alice", Optional.empty());
        long first = store.addFace("acme", "alice", 0.7, Map.of("a", unit(1, 0, 0, 0), "b", unit(0, 1, 0, 0)), NO_CROP)
                .orElseThrow();
        long second = store.addFace("acme", "alice", 0.9, Map.of("a", unit(0, 0, 1, 0)), NO_CROP).orElseThrow();
        store.addFace("globex", "alice", 0.5, Map.of("a", unit(0, 0, 0, 1)), NO_CROP).orElseThrow();

        assertThat(store.faces("acme", "alice")).extracting(GalleryStore.Face::id, GalleryStore.Face::quality,
                GalleryStore.Face::models).containsExactly(org.assertj.core.groups.Tuple.tuple(first, 0.7, java.util.Set.of("a", "b")),
                org.assertj.core.groups.Tuple.tuple(second, 0.9, java.util.Set.of("a")));
        assertThat(store.templates("acme", "alice", "a")).containsExactly(unit(1, 0, 0, 0), unit(0, 0, 1, 0));
        assertThat(store.templates("acme", "alice", "b")).containsExactly(unit(0, 1, 0, 0));
        assertThat(store.templates("acme", "alice", "c")).isEmpty();
        assertThat(store.templates("a")).as("every tenant").isEqualTo(3);
        assertThat(store.templates("b")).isEqualTo(1);
        assertThat(store.faces("acme", "nobody")).isEmpty();

        store.deleteSubject("acme", "alice");
        assertThat(store.faces("acme", "alice")).isEmpty();
        assertThat(store.templates("a")).isEqualTo(1);
    }

    @Test
    void searchAgreesWithABruteForceScanOfTheSubjectsMeans() {
        var random = new Random(7);
        int d = 64;
        Map<String, List<float[]>> faces = new HashMap<>();
        for (int s = 0; s < 60; s++) {
            String subject = "s" + s;
            store.putSubject("acme", subject, Optional.empty());
            for (int f = 0; f < 1 + s % 4; f++) {
                float[] t = randomUnit(random, d);
                store.addFace("acme", subject, 0.9, Map.of("m", t), NO_CROP).orElseThrow();
                faces.computeIfAbsent(subject, x -> new ArrayList<>()).add(t);
            }
        }
        for (int q = 0; q < 5; q++) {
            float[] query = randomUnit(random, d);
            Map<String, Double> score = new HashMap<>();
            faces.forEach((subject, templates) -> score.put(subject, dot(query, meanOf(templates))));
            List<String> expected = score.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(7).map(Map.Entry::getKey).toList();
            var found = store.search("acme", "m", query, 7);
            assertThat(found).extracting(GalleryStore.Match::subjectId).isEqualTo(expected);
            for (var match : found) {
                assertThat(match.similarity()).isCloseTo(score.get(match.subjectId()), within(1e-5));
            }
        }
    }

    @Test
    void aGalleryWrittenBeforeMeansWereKeptGetsThemOnceByAMigration() throws Exception {
        store.putSubject("acme", "alice", Optional.empty());
        store.putSubject("acme", "bob", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.5), "n", unit(0, 0, 1)), NO_CROP);
        store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.9)), NO_CROP);
        store.addFace("acme", "bob", 0.9, Map.of("m", atCosine(0.7)), NO_CROP);
        var found = store.search("acme", "m", unit(1, 0, 0, 0), 10);
        assertThat(rows("SELECT COUNT(*) FROM gallery_mean")).isEqualTo(3);

        store.close();
        try (Connection c = jdbc(); var statement = c.createStatement()) {   // back to the schema before the fill
            statement.executeUpdate("DELETE FROM gallery_mean");
            assertThat(statement.executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"description\" = 'gallery mean fill'"))
                    .isEqualTo(1);
        }
        store = reopen(Optional.of(CIPHER));
        assertThat(rows("SELECT COUNT(*) FROM gallery_mean")).isEqualTo(3);
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 10)).isEqualTo(found);
        assertThat(store.search("acme", "n", unit(0, 0, 1), 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("alice");

        store.close();
        try (Connection c = jdbc(); var statement = c.createStatement()) {   // a migration runs once, not at every start
            statement.executeUpdate("DELETE FROM gallery_mean WHERE subject_id = 'bob'");
        }
        store = reopen(Optional.of(CIPHER));
        assertThat(rows("SELECT COUNT(*) FROM gallery_mean")).isEqualTo(2);
    }

    @Test
    void erasureLeavesNoRowOfTheSubjectInAnyTable() throws SQLException {
        store.putSubject("acme", "alice", Optional.of("{\"k\":1}"));
        store.putSubject("acme", "bob", Optional.empty());
        for (int i = 0; i < 2; i++) {
            store.addFace("acme", "alice", 0.9, Map.of("a", unit(1, i, 0, 0), "b", unit(0, 1, i, 0)),
                    Optional.of(new byte[] {9, 8, 7}));
        }
        store.addFace("acme", "bob", 0.9, Map.of("a", unit(1, 0, 0, 0)), NO_CROP);
        assertThat(rowsOfSubject("alice")).as("before erasure").isGreaterThan(4);

        assertThat(store.deleteSubject("acme", "alice")).isTrue();
        assertThat(rowsOfSubject("alice")).isZero();
        assertThat(rows("SELECT COUNT(*) FROM gallery_face")).as("bob's face").isEqualTo(1);
        assertThat(store.subject("acme", "alice")).isEmpty();
        assertThat(store.search("acme", "a", unit(1, 0, 0, 0), 10)).extracting(GalleryStore.Match::subjectId)
                .containsExactly("bob");
        assertThat(store.count("acme", "b")).isEqualTo(new GalleryStore.Counts(0, 0));
        assertThat(store.facesWithout("b", 0, 100)).extracting(GalleryStore.StoredFace::subjectId).containsExactly("bob");
        assertThat(store.deleteSubject("acme", "alice")).isFalse();
    }

    @Test
    void everythingIsKeptAcrossARestart() throws Exception {
        store.putSubject("acme", "alice", Optional.of("{\"k\":1}"));
        store.putSubject("acme", "bob", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.7)), Optional.of(new byte[] {1, 2}));
        store.addFace("acme", "bob", 0.8, Map.of("m", atCosine(0.6), "n", unit(0, 0, 1)), NO_CROP);
        var subjects = store.subjects("acme", Optional.empty(), 10);
        var found = store.search("acme", "m", unit(1, 0, 0, 0), 10);
        var faces = store.facesWithout("n", 0, 10);

        store.close();
        store = reopen(Optional.of(CIPHER));
        assertThat(store.subjects("acme", Optional.empty(), 10)).isEqualTo(subjects);
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 10)).isEqualTo(found);
        assertThat(store.count("acme", "m")).isEqualTo(new GalleryStore.Counts(2, 2));
        assertThat(store.count("acme", "n")).isEqualTo(new GalleryStore.Counts(1, 1));
        assertThat(store.facesWithout("n", 0, 10)).singleElement()
                .satisfies(f -> assertThat(f.crop().orElseThrow()).containsExactly(1, 2))
                .extracting(GalleryStore.StoredFace::faceId).isEqualTo(faces.get(0).faceId());
        // and the index keeps working after the restart
        store.putSubject("acme", "carol", Optional.empty());
        store.addFace("acme", "carol", 0.9, Map.of("m", atCosine(0.99)), NO_CROP);
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 1).get(0).similarity()).isCloseTo(0.99, within(1e-6));
        store.addFace("acme", "alice", 0.9, Map.of("m", atCosine(0.99)), NO_CROP);
        double alice = (0.7 + 0.99) / Math.hypot(0.7 + 0.99, Math.sqrt(1 - 0.49) + Math.sqrt(1 - 0.99 * 0.99));
        assertThat(store.search("acme", "m", unit(1, 0, 0, 0), 10)).extracting(GalleryStore.Match::similarity)
                .anySatisfy(similarity -> assertThat(similarity).isCloseTo(alice, within(1e-6)));
    }

    @Test
    void reenrolmentListsTheFacesWithoutTheNewModelAndTheirCrops() {
        store.putSubject("acme", "alice", Optional.empty());
        store.putSubject("globex", "bob", Optional.empty());
        byte[] aliceCrop = {10, 20, 30};
        long alice = store.addFace("acme", "alice", 0.9, Map.of("old", unit(1, 0, 0, 0)), Optional.of(aliceCrop)).orElseThrow();
        long bob = store.addFace("globex", "bob", 0.7, Map.of("old", unit(0, 1, 0, 0)), NO_CROP).orElseThrow();

        var missing = store.facesWithout("new", 0, 10);
        assertThat(missing).extracting(GalleryStore.StoredFace::faceId).containsExactly(alice, bob);
        assertThat(missing.get(0).tenant()).isEqualTo("acme");
        assertThat(missing.get(0).crop().orElseThrow()).containsExactly(aliceCrop);
        assertThat(missing.get(0).quality()).isEqualTo(0.9);
        assertThat(missing.get(1).crop()).isEmpty();
        assertThat(store.facesWithout("new", alice, 10)).extracting(GalleryStore.StoredFace::faceId).containsExactly(bob);
        assertThat(store.facesWithout("old", 0, 10)).isEmpty();
        assertThat(store.countFacesWithout("new")).isEqualTo(2);
        assertThat(store.countFacesWithout("old")).isZero();

        assertThat(store.addTemplate(alice, "new", unit(0, 0, 1))).isTrue();
        assertThat(store.addTemplate(alice, "new", unit(0, 1, 0))).as("replaced").isTrue();
        assertThat(store.addTemplate(999_999, "new", unit(0, 0, 1))).isFalse();
        assertThat(store.facesWithout("new", 0, 10)).extracting(GalleryStore.StoredFace::faceId).containsExactly(bob);
        assertThat(store.countFacesWithout("new")).isEqualTo(1);
        assertThat(store.models("acme", "alice")).isEqualTo(Set.of("old", "new"));
        assertThat(store.count("acme", "new")).isEqualTo(new GalleryStore.Counts(1, 1));
        assertThat(store.search("acme", "new", unit(0, 1, 0), 5)).singleElement()
                .satisfies(m -> assertThat(m.similarity()).isCloseTo(1, within(1e-6)));
    }

    @Test
    void aStoredFaceIsSealedAndOnlyTheKeyOpensIt() throws Exception {
        store.putSubject("acme", "alice", Optional.empty());
        byte[] crop = new byte[112 * 112 * 3];
        new Random(1).nextBytes(crop);
        long face = store.addFace("acme", "alice", 0.9, Map.of("m", unit(1, 0)), Optional.of(crop)).orElseThrow();
        byte[] stored;
        try (Connection c = jdbc(); var query = c.prepareStatement("SELECT crop FROM gallery_face WHERE face_id = ?")) {
            query.setLong(1, face);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                stored = row.getBytes(1);
            }
        }
        assertThat(stored).hasSize(FaceCipher.NONCE_BYTES + crop.length + 16);
        assertThat(java.util.Arrays.copyOfRange(stored, FaceCipher.NONCE_BYTES, FaceCipher.NONCE_BYTES + crop.length))
                .isNotEqualTo(crop);
        assertThat(CIPHER.open(stored, "acme", "alice")).isEqualTo(crop);

        store.close();
        var otherKey = new byte[32];
        otherKey[0] = 1;
        store = reopen(Optional.of(FaceCipher.fromBase64(Base64.getEncoder().encodeToString(otherKey))));
        assertThatThrownBy(() -> store.facesWithout("n", 0, 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open");
    }

    @Test
    void withoutKeepingFacesNoCropIsStored() throws Exception {
        store.close();
        store = reopen(Optional.empty());
        store.putSubject("acme", "alice", Optional.empty());
        store.addFace("acme", "alice", 0.9, Map.of("m", unit(1, 0)), Optional.of(new byte[] {1, 2, 3}));
        assertThat(rows("SELECT COUNT(*) FROM gallery_face WHERE crop IS NOT NULL")).isZero();
        assertThat(store.facesWithout("n", 0, 10)).singleElement().satisfies(f -> assertThat(f.crop()).isEmpty());
    }

    // ---- helpers

    long rows(String sql) throws SQLException {
        try (Connection c = jdbc(); var query = c.createStatement(); ResultSet row = query.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Rows naming the subject in every table of the database that has a subject_id column. */
    long rowsOfSubject(String subjectId) throws SQLException {
        long total = 0;
        try (Connection c = jdbc()) {
            var tables = new ArrayList<String>();
            try (ResultSet columns = c.getMetaData().getColumns(null, null, "%", "%")) {
                while (columns.next()) {
                    if (columns.getString("COLUMN_NAME").equalsIgnoreCase("subject_id")
                            && columns.getString("TABLE_NAME").toLowerCase().startsWith("gallery_")) {
                        tables.add(columns.getString("TABLE_NAME"));
                    }
                }
            }
            assertThat(tables).extracting(String::toLowerCase)
                    .containsExactlyInAnyOrder("gallery_subject", "gallery_face", "gallery_template", "gallery_mean");
            for (String table : tables) {
                try (var query = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?")) {
                    query.setString(1, subjectId);
                    try (ResultSet row = query.executeQuery()) {
                        row.next();
                        total += row.getLong(1);
                    }
                }
            }
        }
        return total;
    }

    @Test
    void theCountsFollowEveryWriteExactly() {
        // 300 seeded writes over two tenants, two models and six subjects; after each, every count equals the
        // one computed from what the test wrote (subjects with a template of the model, and templates)
        var random = new Random(33);
        record Written(String tenant, String subject, Map<String, float[]> templates) {
            Set<String> models() {
                return templates.keySet();
            }
        }
        var faces = new HashMap<Long, Written>();
        List<String> tenants = List.of("acme", "globex");
        List<String> models = List.of("m", "n");
        for (int step = 0; step < 300; step++) {
            String tenant = tenants.get(random.nextInt(2));
            String subject = "s" + random.nextInt(6);
            int op = random.nextInt(10);
            if (op < 5 || faces.isEmpty()) {
                store.putSubject(tenant, subject, Optional.empty());
                Set<String> with = switch (random.nextInt(3)) {
                    case 0 -> Set.of("m");
                    case 1 -> Set.of("n");
                    default -> Set.of("m", "n");
                };
                var templates = new HashMap<String, float[]>();
                with.forEach(model -> templates.put(model, randomUnit(random, 4)));
                long face = store.addFace(tenant, subject, 0.9, templates, NO_CROP).orElseThrow();
                faces.put(face, new Written(tenant, subject, new java.util.TreeMap<>(templates)));
            } else {
                long face = faces.keySet().stream().sorted().skip(random.nextInt(faces.size())).findFirst().orElseThrow();
                Written written = faces.get(face);
                if (op < 8) {
                    assertThat(store.deleteFace(written.tenant(), face)).isTrue();
                    faces.remove(face);
                } else if (op == 8 && written.models().size() == 1) {
                    String missing = written.models().contains("m") ? "n" : "m";
                    float[] template = randomUnit(random, 4);
                    assertThat(store.addTemplate(face, missing, template)).isTrue();
                    written.templates().put(missing, template);
                } else {
                    assertThat(store.deleteSubject(written.tenant(), written.subject())).isTrue();
                    faces.values().removeIf(w -> w.tenant().equals(written.tenant()) && w.subject().equals(written.subject()));
                }
            }
            for (String t : tenants) {
                for (String model : models) {
                    long templates = faces.values().stream().filter(w -> w.tenant().equals(t) && w.models().contains(model)).count();
                    long subjects = faces.values().stream().filter(w -> w.tenant().equals(t) && w.models().contains(model))
                            .map(Written::subject).distinct().count();
                    assertThat(store.count(t, model)).as("step %d, %s, %s", step, t, model)
                            .isEqualTo(new GalleryStore.Counts(subjects, templates));
                }
            }
            if (step % 10 == 9) {   // and each subject is searched by the mean of what it has, in face order
                float[] query = randomUnit(random, 4);
                for (String t : tenants) {
                    for (String model : models) {
                        var bySubject = new java.util.TreeMap<String, List<float[]>>();
                        faces.entrySet().stream().sorted(Map.Entry.comparingByKey())
                                .filter(e -> e.getValue().tenant().equals(t) && e.getValue().models().contains(model))
                                .forEach(e -> bySubject.computeIfAbsent(e.getValue().subject(), x -> new ArrayList<>())
                                        .add(e.getValue().templates().get(model)));
                        var found = store.search(t, model, query, 50);
                        assertThat(found).extracting(GalleryStore.Match::subjectId).as("step %d, %s, %s", step, t, model)
                                .containsExactlyInAnyOrderElementsOf(bySubject.keySet());
                        found.forEach(m -> assertThat(m.similarity()).isCloseTo(dot(query, meanOf(bySubject.get(m.subjectId()))),
                                within(1e-5)));
                    }
                }
            }
        }
    }

    /** The normalised sum, computed here apart from the store's. */
    static float[] meanOf(List<float[]> templates) {
        double[] sum = new double[templates.get(0).length];
        templates.forEach(t -> {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += t[i];
            }
        });
        return unit(sum);
    }

    static float[] unit(double... values) {
        double norm = 0;
        for (double v : values) {
            norm += v * v;
        }
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] / Math.sqrt(norm));
        }
        return out;
    }

    /** A unit vector whose cosine with (1, 0, 0, 0) is {@code cosine}. */
    static float[] atCosine(double cosine) {
        return unit(cosine, Math.sqrt(1 - cosine * cosine), 0, 0);
    }

    static float[] randomUnit(Random random, int d) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            v[i] = random.nextGaussian();
        }
        return unit(v);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
