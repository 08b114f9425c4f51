package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;
import dev.faceoff.testing.ModelStores;

/**
 * The gallery's API end to end on the real models and real LFW photos, the embedded store in a temporary folder:
 * 20 LFW people enrolled with one photo each and identified with another (rank 1 and the open-set match), LFW people
 * never enrolled identified as nobody, a probe verified against a subject, 409 for a model the gallery lacks, an
 * erasure that leaves no row of the subject in the H2 database (read directly with JDBC), feedback on an
 * identification's id. The model store: {@link ModelStores#identifying} with {@code arcface-mfn64} (loaded, not a
 * gallery model).
 */
@EndToEnd
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GalleryEndToEndTest {

    static final int ENROLLED = 20;
    static final int UNKNOWN = 10;
    static final String OTHER_MODEL = "arcface-mfn64";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path GALLERY = ModelStores.gallery();

    @LocalServerPort
    int port;

    Path lfw;
    /** Enrolled people, their probe photos. */
    final List<String> people = new ArrayList<>();
    final List<byte[]> probes = new ArrayList<>();
    final List<byte[]> strangers = new ArrayList<>();
    JsonNode emptyGallery;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("faceoff.models.dir", () -> {
            try {
                return ModelStores.identifying(Files.createTempDirectory("faceoff-gallery-models"), OTHER_MODEL).toString();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        registry.add("faceoff.models.include", () -> ModelStores.PRETRAINED + "," + OTHER_MODEL);
        registry.add("faceoff.gallery.path", GALLERY::toString);
    }

    Http http() {
        return new Http(port);
    }

    @BeforeAll
    void enrol() throws Exception {
        lfw = SharedData.lfw();
        emptyGallery = identify(photo("Aaron_Peirsol", 1), Map.of()).json();
        List<Path> folders;
        try (Stream<Path> s = Files.list(lfw)) {
            folders = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path folder : folders) {
            String person = folder.getFileName().toString();
            long photos = countPhotos(folder);
            if (people.size() < ENROLLED && photos >= 2) {
                assertThat(http().send("PUT", "/v1/subjects/" + person, "{\"metadata\": {\"source\": \"lfw\"}}", Map.of())
                        .status()).isEqualTo(201);
                var enrolled = http().postMultipart("/v1/subjects/" + person + "/faces", Map.of("image", photo(person, 1)), Map.of());
                if (enrolled.status() == 201) {
                    people.add(person);
                    probes.add(photo(person, 2));
                } else {   // a photo the enrolment gate refuses: that person is left out
                    assertThat(enrolled.json().path("code").asString()).as(enrolled.body()).isIn("low_quality", "no_face");
                    assertThat(http().send("DELETE", "/v1/subjects/" + person, null, Map.of()).status()).isEqualTo(204);
                }
            } else if (people.size() >= ENROLLED && strangers.size() < UNKNOWN) {
                strangers.add(photo(person, 1));
            }
            if (people.size() == ENROLLED && strangers.size() == UNKNOWN) {
                break;
            }
        }
        assertThat(people).hasSize(ENROLLED);
    }

    @Test
    void anEmptyGalleryIdentifiesNobody() {
        assertThat(emptyGallery.get("match").asBoolean()).isFalse();
        assertThat(emptyGallery.get("candidates")).isEmpty();
        assertThat(emptyGallery.get("gallery_size").asLong()).isZero();
        assertThat(emptyGallery.get("identification_id").asString()).isNotBlank();
    }

    @Test
    void identifiesEnrolledPeopleAndNobodyForStrangers() throws Exception {
        int rank1 = 0;
        int matched = 0;
        for (int i = 0; i < people.size(); i++) {
            JsonNode answer = identify(probes.get(i), Map.of()).json();
            assertThat(answer.get("gallery_size").asLong()).isGreaterThanOrEqualTo(ENROLLED);
            assertThat(answer.get("candidates")).hasSizeLessThanOrEqualTo(5);
            if (answer.get("candidates").get(0).get("subject_id").asString().equals(people.get(i))) {
                rank1++;
            }
            if (answer.get("match").asBoolean() && answer.get("subject_id").asString().equals(people.get(i))) {
                matched++;
            }
        }
        int falseMatches = 0;
        for (byte[] stranger : strangers) {
            JsonNode answer = identify(stranger, Map.of()).json();
            assertThat(answer.get("candidates")).isNotEmpty();
            if (answer.get("match").asBoolean()) {
                falseMatches++;
            }
        }
        System.out.printf("e2e gallery: %d enrolled, rank 1 %d, matched %d; %d strangers, %d false matches%n",
                people.size(), rank1, matched, strangers.size(), falseMatches);
        assertThat(rank1).isGreaterThanOrEqualTo(ENROLLED - 1);
        assertThat(matched).isGreaterThanOrEqualTo(ENROLLED - 2);
        assertThat(falseMatches).isLessThanOrEqualTo(1);
    }

    @Test
    void verifiesAPhotoAgainstASubject() throws Exception {
        var same = http().postMultipart("/v1/subjects/" + people.get(0) + "/verify", Map.of("image", probes.get(0)), Map.of());
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().get("match").asBoolean()).isTrue();
        assertThat(same.json().get("model").get("name").asString()).isEqualTo(ModelStores.PRETRAINED);
        assertThat(same.json().get("face").get("quality").get("score").asDouble()).isPositive();
        assertThat(same.json().get("template_faces").asInt()).isEqualTo(1);
        var other = http().send("POST", "/v1/subjects/" + people.get(1) + "/verify",
                JSON.writeValueAsString(Map.of("image", java.util.Base64.getEncoder().encodeToString(probes.get(0)))), Map.of());
        assertThat(other.status()).as(other.body()).isEqualTo(200);
        assertThat(other.json().get("match").asBoolean()).isFalse();
        assertThat(other.json().get("similarity").asDouble()).isLessThan(same.json().get("similarity").asDouble());
    }

    @Test
    void aModelTheGalleryLacksIs409AndAnUnknownSubject404() throws Exception {
        var verify = http().postMultipart("/v1/subjects/" + people.get(0) + "/verify",
                Map.of("image", probes.get(0), "model", OTHER_MODEL), Map.of());
        assertThat(verify.status()).as(verify.body()).isEqualTo(409);
        assertThat(verify.json().get("code").asString()).isEqualTo("not_enrolled_for_model");
        assertThat(verify.json().get("detail").asString()).contains(OTHER_MODEL);
        var identify = identify(probes.get(0), Map.of("model", OTHER_MODEL));
        assertThat(identify.status()).isEqualTo(409);
        var unknown = http().postMultipart("/v1/subjects/nobody-here/verify", Map.of("image", probes.get(0)), Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("code").asString()).isEqualTo("unknown_subject");
        var invalid = http().get("/v1/subjects/" + "x".repeat(65));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("code").asString()).isEqualTo("invalid_subject_id");
    }

    @Test
    void aSubjectShowsItsFacesAndPagesWithACursor() throws Exception {
        JsonNode subject = http().get("/v1/subjects/" + people.get(0)).json();
        assertThat(subject.get("faces")).hasSize(1);
        assertThat(subject.get("models").get(0).asString()).isEqualTo(ModelStores.PRETRAINED);
        assertThat(subject.get("missing")).isEmpty();
        assertThat(subject.get("metadata").get("source").asString()).isEqualTo("lfw");
        assertThat(http().send("PUT", "/v1/subjects/" + people.get(0), null, Map.of()).status()).isEqualTo(200);
        JsonNode page = http().get("/v1/subjects?limit=5").json();
        assertThat(page.get("subjects")).hasSize(5);
        JsonNode next = http().get("/v1/subjects?limit=5&after=" + page.get("next").asString()).json();
        assertThat(next.get("subjects").get(0).get("subject_id").asString())
                .isGreaterThan(page.get("subjects").get(4).get("subject_id").asString());
    }

    @Test
    void anotherPhotoOfAnEnrolledPersonIsAPossibleDuplicate() throws Exception {
        assertThat(http().send("PUT", "/v1/subjects/dup-check", null, Map.of()).status()).isEqualTo(201);
        var enrolled = http().postMultipart("/v1/subjects/dup-check/faces", Map.of("image", probes.get(2), "min_quality", "0"), Map.of());
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        assertThat(enrolled.json().get("possible_duplicate_of").asString()).isEqualTo(people.get(2));
        long faceId = enrolled.json().get("face_id").asLong();
        assertThat(http().send("DELETE", "/v1/subjects/dup-check/faces/" + faceId, null, Map.of()).status()).isEqualTo(204);
        assertThat(http().send("DELETE", "/v1/subjects/dup-check/faces/" + faceId, null, Map.of()).status()).isEqualTo(404);
        assertThat(http().send("DELETE", "/v1/subjects/dup-check", null, Map.of()).status()).isEqualTo(204);
    }

    @Test
    void erasureLeavesNoRowOfTheSubject() throws Exception {
        String id = "erase-me";
        assertThat(http().send("PUT", "/v1/subjects/" + id, "{\"metadata\": {\"name\": \"E\"}}", Map.of()).status()).isEqualTo(201);
        var enrolled = http().postMultipart("/v1/subjects/" + id + "/faces", Map.of("image", photo(people.get(5), 1)), Map.of());
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        assertThat(rows(id)).containsExactly(1L, 1L, 1L, 1L);
        assertThat(http().send("DELETE", "/v1/subjects/" + id, null, Map.of()).status()).isEqualTo(204);
        assertThat(rows(id)).containsExactly(0L, 0L, 0L, 0L);
        assertThat(http().get("/v1/subjects/" + id).status()).isEqualTo(404);
        assertThat(http().send("DELETE", "/v1/subjects/" + id, null, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void feedbackTakesAnIdentificationId() throws Exception {
        JsonNode answer = identify(probes.get(3), Map.of()).json();
        var feedback = http().postJson("/v1/feedback", Map.of("verification_id", answer.get("identification_id").asString(),
                "same", true));
        assertThat(feedback.status()).as(feedback.body()).isEqualTo(200);
        assertThat(feedback.json().get("model").asString()).isEqualTo(ModelStores.PRETRAINED);
    }

    /** Rows of the subject in the subject, face, template and mean tables, read from the H2 file directly. */
    private List<Long> rows(String subjectId) throws Exception {
        String url = "jdbc:h2:file:" + GALLERY.toAbsolutePath().normalize().resolve("gallery") + ";DB_CLOSE_ON_EXIT=FALSE";
        var counts = new ArrayList<Long>();
        try (var c = DriverManager.getConnection(url, "faceoff", "")) {
            for (String table : List.of("gallery_subject", "gallery_face", "gallery_template", "gallery_mean")) {
                try (var q = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?")) {
                    q.setString(1, subjectId);
                    try (var r = q.executeQuery()) {
                        r.next();
                        counts.add(r.getLong(1));
                    }
                }
            }
        }
        return counts;
    }

    private Http.Response identify(byte[] image, Map<String, Object> fields) throws Exception {
        var parts = new java.util.LinkedHashMap<String, Object>(fields);
        parts.put("image", image);
        var response = http().postMultipart("/v1/identify", parts, Map.of());
        if (fields.isEmpty()) {
            assertThat(response.status()).as(response.body()).isEqualTo(200);
        }
        return response;
    }

    private byte[] photo(String person, int number) throws IOException {
        return TestImages.read(lfw, person, number);
    }

    private static long countPhotos(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }
}
