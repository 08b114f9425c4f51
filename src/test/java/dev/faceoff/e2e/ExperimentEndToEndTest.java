package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.faceoff.SharedData;
import dev.faceoff.evaluation.PairListAccess;
import dev.faceoff.experiment.ShadowWork;
import dev.faceoff.testing.EndToEnd;

/**
 * An A/B test end to end over real HTTP on real LFW photos and real models (the pretrained embedder under
 * two names and losses, a third copy as shadow): verify with a sticky subject → feedback → the report counts
 * exactly what was sent; overrides, stickiness, the admin weights endpoint and the metrics.
 */
@EndToEnd(store = EndToEnd.Store.AB)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentEndToEndTest {

    static Path lfw;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

    @BeforeAll
    static void data() {
        lfw = SharedData.lfw();
        SharedData.lfwPairs();
    }

    Http http() {
        return new Http(port);
    }

    Http.Response verify(byte[] a, byte[] b, String subject, Map<String, Object> fields) throws Exception {
        var parts = new LinkedHashMap<String, Object>();
        parts.put("image1", a);
        parts.put("image2", b);
        parts.putAll(fields);
        return http().postMultipart("/v1/verify", parts, subject == null ? Map.of() : Map.of("X-Subject-Id", subject));
    }

    Http.Response put(String path, String key, Object body) throws Exception {
        return http().putJson(path, body, key == null ? Map.of() : Map.of("X-Admin-Key", key));
    }

    @Test
    @Order(1)
    void verificationsFeedbackAndTheReportAgreeToTheCount() throws Exception {
        var pairs = PairListAccess.fold(SharedData.lfwPairs(), lfw, 0);
        var chosen = new ArrayList<String[]>();
        chosen.addAll(pairs.stream().filter(p -> p[2].equals("true")).limit(10).toList());
        chosen.addAll(pairs.stream().filter(p -> p[2].equals("false")).limit(10).toList());
        Map<String, int[]> expected = new HashMap<>();   // variant → {TA, FA, TR, FR}
        var ids = new ArrayList<String>();
        for (int i = 0; i < chosen.size(); i++) {
            String[] pair = chosen.get(i);
            var response = verify(Files.readAllBytes(lfw.resolve(pair[0])), Files.readAllBytes(lfw.resolve(pair[1])),
                    "subject-" + i, Map.of());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode json = response.json();
            JsonNode routing = json.get("routing");
            assertThat(routing.get("experiment").asString()).isEqualTo("losses");
            assertThat(routing.get("assignment").asString()).isEqualTo("sticky");
            String variant = routing.get("variant").asString();
            assertThat(json.get("model").get("name").asString()).isEqualTo("copy-" + variant);
            assertThat(json.get("model").get("loss").asString()).isEqualTo(variant);
            boolean same = Boolean.parseBoolean(pair[2]);
            boolean match = json.get("match").asBoolean();
            int slot = match ? (same ? 0 : 1) : (same ? 3 : 2);
            expected.computeIfAbsent(variant, v -> new int[4])[slot]++;

            String id = json.get("verification_id").asString();
            ids.add(id);
            var feedback = http().postJson("/v1/feedback", Map.of("verification_id", id, "same", same));
            assertThat(feedback.status()).as(feedback.body()).isEqualTo(200);
            assertThat(feedback.json().get("counted").asBoolean()).isTrue();
            assertThat(feedback.json().get("variant").asString()).isEqualTo(variant);
            assertThat(feedback.json().get("outcome").asString())
                    .isEqualTo(List.of("true_accept", "false_accept", "true_reject", "false_reject").get(slot));
        }

        // the same verification again: 200, not counted, the first outcome; an unknown one: 404
        var again = http().postJson("/v1/feedback", Map.of("verification_id", ids.get(0), "same", false));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("counted").asBoolean()).isFalse();
        assertThat(again.json().get("outcome").asString()).isEqualTo("true_accept");
        var unknown = http().postJson("/v1/feedback", Map.of("verification_id", "no-such-id", "same", true));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("code").asString()).isEqualTo("unknown_verification");
        var missing = http().postJson("/v1/feedback", Map.of("verification_id", ids.get(1)));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("code").asString()).isEqualTo("invalid_request");

        JsonNode report = http().get("/v1/experiments/losses").json();
        System.out.println("e2e report: " + report);
        assertThat(report.get("traffic_scope").asString()).isEqualTo("instance");
        assertThat(report.get("feedback_scope").asString()).isEqualTo("instance");
        int verified = 0;
        for (JsonNode v : report.get("variants")) {
            int[] counts = expected.getOrDefault(v.get("name").asString(), new int[4]);
            JsonNode fb = v.get("feedback");
            assertThat(new long[]{fb.get("true_accepts").asLong(), fb.get("false_accepts").asLong(),
                    fb.get("true_rejects").asLong(), fb.get("false_rejects").asLong()})
                    .as(v.get("name").asString()).containsExactly(counts[0], counts[1], counts[2], counts[3]);
            long impostors = counts[1] + counts[2];
            if (impostors > 0) {
                assertThat(fb.get("far").get("value").asDouble()).isEqualTo((double) counts[1] / impostors);
                assertThat(fb.get("far").get("high").asDouble()).isGreaterThan(fb.get("far").get("value").asDouble());
            }
            verified += v.get("traffic").get("verified").asInt();
            assertThat(v.get("traffic").get("latency_ms").get("p50").asDouble()).isPositive();
        }
        assertThat(verified).isEqualTo(20);
        assertThat(report.get("comparisons").get(0).get("baseline").asString()).isEqualTo("arcface");
        System.out.printf("e2e: 20 LFW pairs through experiment losses, per variant {TA, FA, TR, FR}: arcface %s, cosface %s%n",
                java.util.Arrays.toString(expected.get("arcface")), java.util.Arrays.toString(expected.get("cosface")));
    }

    @Test
    @Order(2)
    void shadowComparisonsReachTheReportAndTheMetrics() throws Exception {
        ShadowWork.awaitIdle(context);   // the shadow worker compares off the requests' threads
        JsonNode shadow = null;
        long comparisons = 0;
        for (JsonNode v : http().get("/v1/experiments/losses").json().get("variants")) {
            shadow = v.get("shadow").get(0);
            comparisons += shadow.get("comparisons").asLong() + shadow.get("dropped").asLong();
        }
        assertThat(comparisons).isEqualTo(20);
        assertThat(shadow.get("model").asString()).isEqualTo("copy-softmax");
        // the same weights as the primaries: every decision agrees
        assertThat(shadow.get("agreement").asDouble()).isEqualTo(1.0);
        String metrics = http().get("/actuator/prometheus").body();
        assertThat(metrics).contains("faceoff_shadow_comparisons_total{agreement=\"agree\"")
                .contains("faceoff_feedback_total{").contains("outcome=\"true_accept\"")
                .contains("endpoint=\"feedback\"").contains("role=\"shadow\"");
        assertThat(metrics).doesNotContain("subject-");
    }

    @Test
    @Order(3)
    void aSubjectAlwaysLandsOnOneVariantAnExplicitModelOverrides() throws Exception {
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        var variants = new java.util.HashSet<String>();
        for (int i = 0; i < 4; i++) {
            variants.add(verify(a, b, "subject-7", Map.of()).json().get("routing").get("variant").asString());
        }
        assertThat(variants).hasSize(1);
        JsonNode weighted = verify(a, b, null, Map.of()).json().get("routing");
        assertThat(weighted.get("assignment").asString()).isEqualTo("weighted");
        JsonNode override = verify(a, b, "subject-7", Map.of("model", "copy-softmax")).json();
        assertThat(override.get("routing").get("assignment").asString()).isEqualTo("override");
        assertThat(override.get("routing").get("experiment").asString()).isEqualTo("none");
        assertThat(override.get("model").get("name").asString()).isEqualTo("copy-softmax");
    }

    @Test
    @Order(4)
    void weightsChangeWithoutARestartBehindTheAdminKey() throws Exception {
        var body = Map.of("weights", Map.of("arcface", 80, "cosface", 20));
        assertThat(put("/v1/experiments/losses/weights", null, body).json().get("code").asString()).isEqualTo("unauthorized");
        var wrong = put("/v1/experiments/losses/weights", "guess", body);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("test-admin-key");
        assertThat(put("/v1/experiments/nope/weights", "test-admin-key", body).json().get("code").asString())
                .isEqualTo("unknown_experiment");
        var unknownVariant = put("/v1/experiments/losses/weights", "test-admin-key", Map.of("weights", Map.of("sphereface", 5)));
        assertThat(unknownVariant.status()).isEqualTo(400);
        assertThat(unknownVariant.json().get("detail").asString()).contains("sphereface");
        assertThat(put("/v1/experiments/losses/weights", "test-admin-key",
                Map.of("weights", Map.of("arcface", 0, "cosface", 0))).status()).isEqualTo(400);
        assertThat(put("/v1/experiments/losses/weights", "test-admin-key",
                Map.of("weights", Map.of("arcface", -1))).status()).isEqualTo(400);

        var ok = put("/v1/experiments/losses/weights", "test-admin-key", body);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("weights").get("arcface").asDouble()).isEqualTo(80.0);

        JsonNode report = http().get("/v1/experiments/losses").json();
        assertThat(report.get("weights").get("arcface").asDouble()).isEqualTo(80.0);
        JsonNode change = report.get("weight_history").get(0);
        assertThat(change.get("from").get("arcface").asDouble()).isEqualTo(50.0);
        assertThat(change.get("to").get("cosface").asDouble()).isEqualTo(20.0);
        assertThat(change.get("at").asString()).isNotBlank();
        JsonNode list = http().get("/v1/experiments").json();
        assertThat(list.get("default_experiment").asString()).isEqualTo("losses");
        assertThat(list.get("experiments").get(0).get("variants").get(0).get("target_share").asDouble()).isEqualTo(0.8);
        assertThat(http().get("/v1/experiments/nope").status()).isEqualTo(404);
    }
}
