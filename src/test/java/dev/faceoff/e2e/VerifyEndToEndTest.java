package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;
import dev.faceoff.evaluation.PairListAccess;
import tools.jackson.databind.JsonNode;

/**
 * End to end on the real models and real LFW photos, over real HTTP: decisions at the manifest's
 * calibrated threshold, every image error code, formats, EXIF orientation, and the metrics they leave.
 */
@EndToEnd
class VerifyEndToEndTest {

    static Path lfw;

    @LocalServerPort
    int port;

    @BeforeAll
    static void data() {
        SharedData.pretrainedModels();
        lfw = SharedData.lfw();
        SharedData.lfwPairs();
    }

    Http http() {
        return new Http(port);
    }

    @Test
    void decidesFold1PairsOfLfwAtTheCalibratedThreshold() throws Exception {
        // the first 100 same pairs and the first 100 different pairs of fold 1 of pairs.txt
        var pairs = PairListAccess.fold(SharedData.lfwPairs(), lfw, 0);
        var same = pairs.stream().filter(p -> p[2].equals("true")).limit(100).toList();
        var different = pairs.stream().filter(p -> p[2].equals("false")).limit(100).toList();
        int correct = 0;
        int total = 0;
        for (var pair : concat(same, different)) {
            var response = http().verify(Files.readAllBytes(lfw.resolve(pair[0])), Files.readAllBytes(lfw.resolve(pair[1])), Map.of());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode json = response.json();
            if (json.get("match").asBoolean() == Boolean.parseBoolean(pair[2])) {
                correct++;
            }
            total++;
        }
        double accuracy = (double) correct / total;
        System.out.printf("e2e: fold 1, %d pairs decided at FAR 1e-3: %.1f%% correct%n", total, 100 * accuracy);
        assertThat(total).isEqualTo(200);
        assertThat(accuracy).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void duplicateConflictingUnknownAndIgnoredParametersAreRefused() throws Exception {
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        // two image1 parts (parts in order, a name repeated)
        var duplicate = http().postParts("/v1/verify",
                List.<Map.Entry<String, Object>>of(Map.entry("image1", a), Map.entry("image1", b), Map.entry("image2", b)), Map.of());
        assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(400);
        assertThat(duplicate.body()).contains("field 'image1' given 2 times");

        var conflicting = http().postMultipart("/v1/verify?far=0.01", Map.of("image1", a, "image2", b, "far", "0.001"), Map.of());
        assertThat(conflicting.status()).isEqualTo(400);
        assertThat(conflicting.json().get("detail").asString()).contains("field 'far' given 2 times");

        var unknown = http().postMultipart("/v1/verify", Map.of("image1", a, "image2", b, "min-quality", "0.5"), Map.of());
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("detail").asString()).contains("unknown field 'min-quality'");

        var b64 = Base64.getEncoder();
        var ignored = http().postJson("/v1/verify?model=arcface-mfn64",
                Map.of("image1", b64.encodeToString(a), "image2", b64.encodeToString(b)));
        assertThat(ignored.status()).isEqualTo(400);
        assertThat(ignored.json().get("detail").asString()).contains("move query parameter 'model'");
        var embedIgnored = http().postJson("/v1/embed?model=arcface-mfn64", Map.of("image", b64.encodeToString(a)));
        assertThat(embedIgnored.status()).isEqualTo(400);
    }

    @Test
    void oversizedUrlsAndHeadersAndSuspiciousPathsAreProblemJson() throws Exception {
        var http = http();
        var answers = new java.util.LinkedHashMap<String, Http.Response>();
        answers.put("a 20,000-character path", http.get("/v1/models/" + "a".repeat(20_000)));
        answers.put("a 20,000-character header", http.send("GET", "/v1/models", null, Map.of("X-Big", "a".repeat(20_000))));
        answers.put("/v1/models%2F..%2Fx", http.get("/v1/models%2F..%2Fx"));
        answers.put("/v1/models/..;/x", http.get("/v1/models/..;/x"));
        for (var answer : answers.entrySet()) {
            var r = answer.getValue();
            assertThat(r.status()).as(answer.getKey()).isEqualTo(400);
            assertThat(r.contentType()).as(answer.getKey()).startsWith("application/problem+json");
            assertThat(r.json().get("code").asString()).isEqualTo("invalid_request");
        }
    }

    @Test
    void theOpenApiDocumentPutsOptionsWhereEachContentTypeTakesThem() throws Exception {
        JsonNode docs = http().get("/v3/api-docs").json();
        assertThat(docs.at("/info/version").asString()).isNotBlank().isNotEqualTo("dev");
        for (String path : List.of("/v1/verify", "/v1/embed")) {
            JsonNode operation = docs.at("/paths/" + path.replace("/", "~1") + "/post");
            assertThat(operation.path("parameters").findValuesAsString("in")).as(path).doesNotContain("query");
            assertThat(operation.at("/requestBody/content/multipart~1form-data/schema/properties").has("min_quality")).isTrue();
            assertThat(operation.at("/responses/200/content/application~1json/schema/$ref").asString()).isNotBlank();
        }
        assertThat(docs.at("/paths/~1v1~1models/get/responses/200/content").has("application/json")).isTrue();
        // a JSON body's photos are base64 strings, whatever type reads them
        JsonNode schemas = docs.at("/components/schemas");
        for (String property : List.of("VerifyJson/properties/image1", "CompareJson/properties/probe",
                "CompareJson/properties/candidates/items", "EmbedJson/properties/image", "EnrolJson/properties/image",
                "ProbeJson/properties/image")) {
            assertThat(schemas.at("/" + property + "/type").asString()).as(property).isEqualTo("string");
            assertThat(schemas.at("/" + property + "/format").asString()).as(property).isEqualTo("byte");
        }
    }

    @Test
    void oneProbeAgainstSeveralCandidatesDecidesEachAndKeepsTheirErrorsApart() throws Exception {
        byte[] probe = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] same = TestImages.read(lfw, "Aaron_Peirsol", 2);
        byte[] other = TestImages.read(lfw, "Aaron_Eckhart", 1);
        byte[] corrupt = java.util.Arrays.copyOf(same, same.length / 2);
        var parts = new java.util.ArrayList<Map.Entry<String, Object>>(List.of(Map.entry("probe", probe),
                Map.entry("candidates", other), Map.entry("candidates", same), Map.entry("candidates", TestImages.noFace()),
                Map.entry("candidates", corrupt)));
        var r = http().postParts("/v1/compare", parts, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode json = r.json();
        JsonNode c = json.get("candidates");
        assertThat(c).hasSize(4);
        assertThat(c.get(0).get("match").asBoolean()).isFalse();
        assertThat(c.get(1).get("match").asBoolean()).isTrue();
        assertThat(c.get(2).at("/error/code").asString()).isEqualTo("no_face");
        assertThat(c.get(2).at("/error/status").asInt()).isEqualTo(422);
        assertThat(c.get(3).at("/error/code").asString()).isEqualTo("corrupt_image");
        assertThat(json.get("best_match").asInt()).isEqualTo(1);
        assertThat(json.at("/probe/box/width").asDouble()).isPositive();
        // the same decision as the one-to-one verification of that pair (batched embedding, same numbers)
        double oneToOne = http().verify(probe, same, Map.of()).json().get("similarity").asDouble();
        assertThat(c.get(1).get("similarity").asDouble()).isCloseTo(oneToOne, org.assertj.core.data.Offset.offset(1e-4));
        // each decided candidate has its own verification id for feedback
        var feedback = http().postJson("/v1/feedback", Map.of("verification_id", c.get(1).get("verification_id").asString(),
                "same", true));
        assertThat(feedback.status()).as(feedback.body()).isEqualTo(200);

        // JSON form
        var b64 = Base64.getEncoder();
        var viaJson = http().postJson("/v1/compare", Map.of("probe", b64.encodeToString(probe),
                "candidates", List.of(b64.encodeToString(same), b64.encodeToString(other))));
        assertThat(viaJson.status()).as(viaJson.body()).isEqualTo(200);
        assertThat(viaJson.json().get("best_match").asInt()).isZero();

        // over the limit (16), and a probe without a face fails the whole request
        var many = new java.util.ArrayList<Map.Entry<String, Object>>();
        many.add(Map.entry("probe", probe));
        for (int i = 0; i < 17; i++) {
            many.add(Map.entry("candidates", same));
        }
        var tooMany = http().postParts("/v1/compare", many, Map.of());
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(tooMany.json().get("code").asString()).isEqualTo("too_many_candidates");
        var noProbe = http().postParts("/v1/compare", List.of(Map.entry("probe", TestImages.noFace()),
                Map.entry("candidates", same)), Map.of());
        assertThat(noProbe.status()).isEqualTo(422);
        assertThat(noProbe.json().get("code").asString()).isEqualTo("no_face");
    }

    @Test
    void anImageOverTheByteLimitGetsTheSameCodeOverMultipartAndJson() throws Exception {
        byte[] photo = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] big = java.util.Arrays.copyOf(photo, 10_500_000);   // a JPEG with 10.5 MB of trailing bytes
        var multipart = http().verify(big, photo, Map.of());
        var json = http().postJson("/v1/verify", Map.of("image1", Base64.getEncoder().encodeToString(big),
                "image2", Base64.getEncoder().encodeToString(photo)));
        for (var r : List.of(multipart, json)) {
            assertThat(r.status()).as(r.body()).isEqualTo(413);
            assertThat(r.json().get("code").asString()).isEqualTo("image_too_large");
        }
    }

    @Test
    void responseCarriesDecisionModelFacesAndTimings() throws Exception {
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        JsonNode json = http().verify(a, b, Map.of()).json();
        assertThat(json.get("match").asBoolean()).isTrue();
        assertThat(json.get("similarity").asDouble()).isGreaterThan(json.get("threshold").asDouble());
        assertThat(json.get("far").asDouble()).isEqualTo(1e-3);
        assertThat(json.get("model").get("name").asString()).isEqualTo("mobilefacenet-faceplugin");
        assertThat(json.get("model").get("loss").asString()).isEqualTo("unknown");
        assertThat(json.get("verification_id").asString()).hasSize(36);
        assertThat(json.get("faces")).hasSize(2);
        JsonNode face = json.get("faces").get(0);
        assertThat(face.get("landmarks")).hasSize(5);
        assertThat(face.get("image").get("width").asInt()).isEqualTo(250);
        assertThat(face.get("score").asDouble()).isGreaterThan(0.7);
        assertThat(json.get("timings_ms").propertyNames()).contains("decode", "detect", "landmarks", "align", "embed");
        assertThat(json.get("routing").get("assignment").asString()).isEqualTo("default");

        JsonNode strict = http().verify(a, b, Map.of("far", "0.0001")).json();
        assertThat(strict.get("threshold").asDouble()).isGreaterThan(json.get("threshold").asDouble());
    }

    @Test
    void everyFaceCarriesItsQualityAndTheGateRefusesAProfile() throws Exception {
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        JsonNode quality = http().verify(a, TestImages.read(lfw, "Aaron_Peirsol", 2), Map.of()).json()
                .get("faces").get(0).get("quality");
        assertThat(quality.propertyNames()).contains("score", "detector_score", "inter_eye_px", "yaw_deg", "roll_deg",
                "sharpness", "brightness", "clipped", "weakest");
        assertThat(quality.get("score").asDouble()).isBetween(0.5, 1.0);
        assertThat(quality.get("inter_eye_px").asDouble()).isBetween(30.0, 70.0);   // LFW: ~45 px
        assertThat(Math.abs(quality.get("yaw_deg").asDouble())).isLessThan(25.0);

        Path cfp = SharedData.dataset("cfp-dev").resolve("Data/Images/001");
        byte[] frontal = Files.readAllBytes(cfp.resolve("frontal/01.jpg"));
        byte[] profile = Files.readAllBytes(cfp.resolve("profile/01.jpg"));
        var ungated = http().verify(frontal, profile, Map.of());
        assertThat(ungated.status()).as(ungated.body()).isEqualTo(200);
        JsonNode profileQuality = ungated.json().get("faces").get(1).get("quality");
        assertThat(Math.abs(profileQuality.get("yaw_deg").asDouble())).isGreaterThan(45.0);
        var gated = http().verify(frontal, profile, Map.of("min_quality", "0.3"));
        expect(gated, 422, "low_quality");
        assertThat(gated.json().get("detail").asString()).startsWith("image2").contains("weakest measure: pose");
        expect(http().verify(frontal, profile, Map.of("min_quality", "1.5")), 400, "invalid_request");
    }

    @Test
    void aRequestTomcatCannotParseIsProblemJsonNotHtml() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("GET /v1/{models} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json")
                    .contains("\"code\":\"invalid_request\"").doesNotContain("<html");
        }
    }

    @Test
    void jsonWithBase64AndEmbed() throws Exception {
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] c = TestImages.read(lfw, "Abdullah_Gul", 1);
        var enc = Base64.getEncoder();
        var response = http().postJson("/v1/verify", Map.of("image1", enc.encodeToString(a),
                "image2", "data:image/jpeg;base64," + enc.encodeToString(c)));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("match").asBoolean()).isFalse();

        JsonNode embed = http().postJson("/v1/embed", Map.of("image", enc.encodeToString(a))).json();
        assertThat(embed.get("dim").asInt()).isEqualTo(512);
        double norm = 0;
        for (JsonNode v : embed.get("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void pngWebpAndBmpOfTheSamePhotoMatchItsJpeg() throws Exception {
        byte[] jpeg = TestImages.read(lfw, "Abdullah_Gul", 2);
        for (String format : List.of(".png", ".webp", ".bmp")) {
            JsonNode json = http().verify(jpeg, TestImages.reencode(jpeg, format), Map.of()).json();
            assertThat(json.get("similarity").asDouble()).as(format).isGreaterThan(0.95);
        }
    }

    @Test
    void exifOrientationIsHonoured() throws Exception {
        byte[] jpeg = TestImages.read(lfw, "Abdullah_Gul", 3);
        var response = http().verify(jpeg, TestImages.rotatedWithExif(jpeg), Map.of());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode json = response.json();
        assertThat(json.get("faces").get(1).get("image").get("width").asInt()).isEqualTo(250);
        assertThat(json.get("similarity").asDouble()).isGreaterThan(0.9);
    }

    @Test
    void badImagesGetTheirCodes() throws Exception {
        byte[] good = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        expect(http().verify(good, truncated, Map.of()), 422, "corrupt_image");
        byte[] random = new byte[5000];
        new java.util.Random(1).nextBytes(random);
        expect(http().verify(random, good, Map.of()), 415, "unsupported_image");
        expect(http().verify(good, TestImages.hugePng(), Map.of()), 413, "image_too_large");
        expect(http().verify(TestImages.noFace(), good, Map.of()), 422, "no_face");
        byte[] two = TestImages.sideBySide(TestImages.read(lfw, "Aaron_Peirsol", 1), TestImages.read(lfw, "Abdullah_Gul", 1));
        expect(http().verify(two, good, Map.of("select", "single")), 422, "multiple_faces");
        assertThat(http().verify(two, good, Map.of()).status()).isEqualTo(200);   // default: the largest face
        expect(http().verify(good, good, Map.of("model", "no-such-model")), 404, "unknown_model");
        expect(http().verify(good, good, Map.of("far", "0.5")), 400, "invalid_request");
        expect(http().verify(good, good, Map.of("select", "biggest")), 400, "invalid_request");
    }

    /** A client that asks first ({@code Expect: 100-continue}) gets the refusal at once and never sends the body. */
    @Test
    void aRequestRefusedBeforeItsBodyIsReadIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (30 << 20) + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).as("the final answer, no 100 Continue first").startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void oversizedUploadIsPayloadTooLarge() throws Exception {
        byte[] big = new byte[22 * 1024 * 1024];
        expect(http().verify(big, new byte[]{1}, Map.of()), 413, "payload_too_large");
    }

    @Test
    void modelsHealthAndMetrics() throws Exception {
        http().verify(TestImages.noFace(), TestImages.read(lfw, "Aaron_Peirsol", 1), Map.of());
        http().verify(TestImages.read(lfw, "Aaron_Peirsol", 1), TestImages.read(lfw, "Aaron_Peirsol", 2), Map.of());

        JsonNode models = http().get("/v1/models").json();
        assertThat(models.get("default_embedding").asString()).isEqualTo("mobilefacenet-faceplugin");
        assertThat(models.get("models").findValuesAsString("provider")).containsOnly("cpu");
        assertThat(models.get("models").findValuesAsString("task")).contains("detection", "landmarks", "embedding");

        // the status alone without the admin role (its details: ApiKeysEndToEndTest); only health and prometheus are exposed
        JsonNode health = http().get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.has("components")).as(health.toString()).isFalse();
        assertThat(http().get("/actuator/metrics").status()).isEqualTo(404);
        assertThat(http().get("/actuator/env").status()).isEqualTo(404);

        String metrics = http().get("/actuator/prometheus").body();
        assertThat(metrics)
                .contains("faceoff_requests_seconds_count{")
                .containsPattern("faceoff_requests_seconds_count\\{[^}]*endpoint=\"verify\"[^}]*outcome=\"ok\"")
                .containsPattern("faceoff_errors_total\\{[^}]*code=\"no_face\"")
                .containsPattern("faceoff_stage_seconds_count\\{[^}]*stage=\"embed\"")
                .containsPattern("faceoff_similarity_bucket\\{[^}]*model=\"mobilefacenet-faceplugin\"")
                .containsPattern("faceoff_decisions_total\\{[^}]*result=\"match\"")
                .containsPattern("faceoff_model_info\\{[^}]*provider=\"cpu\"")
                .contains("process_memory_rss_bytes")
                .contains("faceoff_requests_inflight");

        var docs = http().get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body()).contains("/v1/verify", "/v1/embed", "/v1/models", "no_face", "payload_too_large");
    }

    private static void expect(Http.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("code").asString()).isEqualTo(code);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
