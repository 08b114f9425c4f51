package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.SharedData;
import dev.faceoff.evaluation.PairListAccess;
import dev.faceoff.feedback.RedisServer;
import dev.faceoff.testing.ModelStores;

/**
 * Two replicas behind an imaginary load balancer, one real Redis: a verification answered by one replica
 * takes its feedback at the other, is counted once, and both reports show the fleet's counts; a weight
 * change made at one replica reaches the other and steers its routing. (Ordered: the last test stops Redis.)
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class FleetFeedbackEndToEndTest {

    static RedisServer redis;
    static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    static Path lfw;

    @BeforeAll
    static void start() throws Exception {
        lfw = SharedData.lfw();
        SharedData.lfwPairs();
        Path store = ModelStores.shared();
        redis = RedisServer.start();
        for (int i = 0; i < 2; i++) {
            var args = new ArrayList<String>();
            ModelStores.abProperties(store).forEach(p -> args.add("--" + p));
            args.addAll(List.of("--server.port=0", "--faceoff.feedback.store=redis", "--faceoff.experiments.shared-weights=redis",
                    "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port()));
            replicas.add(new SpringApplicationBuilder(FaceoffApplication.class).logStartupInfo(false)
                    .run(args.toArray(String[]::new)));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        replicas.forEach(ConfigurableApplicationContext::close);
        if (redis != null) {
            redis.close();
        }
    }

    static Http replica(int i) {
        return new Http(Integer.parseInt(replicas.get(i).getEnvironment().getProperty("local.server.port")));
    }

    /** PUT /v1/experiments/losses/weights at replica {@code i}, with the A/B store's admin key. */
    static Http.Response setWeights(int i, int arcface, int cosface) throws Exception {
        return replica(i).putJson("/v1/experiments/losses/weights",
                Map.of("weights", Map.of("arcface", arcface, "cosface", cosface)), Map.of("X-Admin-Key", "test-admin-key"));
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void aWeightChangeAtOneReplicaReachesTheOtherAndSteersItsRouting() throws Exception {
        var answer = setWeights(0, 0, 100);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode report = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            report = replica(1).get("/v1/experiments/losses").json();
            if (report.at("/weights/arcface").asDouble() == 0.0) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(report.get("weights_scope").asString()).isEqualTo("fleet");
        assertThat(report.at("/weights/arcface").asDouble()).as("the other replica's weights").isEqualTo(0.0);
        assertThat(report.at("/weights/cosface").asDouble()).isEqualTo(100.0);
        assertThat(report.get("weight_history")).hasSize(1);
        // routing at the other replica follows: requests without a sticky key all go to cosface
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        for (int i = 0; i < 4; i++) {
            var verified = replica(1).verify(a, b, Map.of());
            assertThat(verified.json().at("/routing/variant").asString()).isEqualTo("cosface");
        }
        // back to 50/50 for the feedback test, again through the other replica
        assertThat(setWeights(1, 50, 50).status()).isEqualTo(200);
        deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && replica(0).get("/v1/experiments/losses").json().at("/weights/arcface").asDouble() != 50.0) {
            Thread.sleep(100);
        }
        assertThat(replica(0).get("/v1/experiments/losses").json().at("/weights/arcface").asDouble()).isEqualTo(50.0);
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void feedbackAtAnyReplicaIsCountedOnceAndReportedByEvery() throws Exception {
        long[] before = new long[2];
        for (int r = 0; r < 2; r++) {
            before[r] = replica(r).get("/v1/experiments/losses").json().get("requests").asLong();
        }
        var pairs = PairListAccess.fold(SharedData.lfwPairs(), lfw, 1);
        var chosen = new ArrayList<String[]>();
        chosen.addAll(pairs.stream().filter(p -> p[2].equals("true")).limit(4).toList());
        chosen.addAll(pairs.stream().filter(p -> p[2].equals("false")).limit(4).toList());
        long[] expected = new long[4];   // TA, FA, TR, FR over the whole experiment
        for (int i = 0; i < chosen.size(); i++) {
            String[] pair = chosen.get(i);
            var parts = new java.util.LinkedHashMap<String, Object>();
            parts.put("image1", Files.readAllBytes(lfw.resolve(pair[0])));
            parts.put("image2", Files.readAllBytes(lfw.resolve(pair[1])));
            // verified by replica i % 2, feedback sent to the other one
            var answer = replica(i % 2).postMultipart("/v1/verify", parts, Map.of("X-Subject-Id", "fleet-" + i));
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            boolean same = Boolean.parseBoolean(pair[2]);
            boolean match = answer.json().get("match").asBoolean();
            expected[match ? (same ? 0 : 1) : (same ? 3 : 2)]++;
            String id = answer.json().get("verification_id").asString();
            var feedback = replica(1 - i % 2).postJson("/v1/feedback", Map.of("verification_id", id, "same", same));
            assertThat(feedback.status()).as(feedback.body()).isEqualTo(200);
            assertThat(feedback.json().get("counted").asBoolean()).isTrue();
            var again = replica(i % 2).postJson("/v1/feedback", Map.of("verification_id", id, "same", same));
            assertThat(again.json().get("counted").asBoolean()).isFalse();
        }
        for (int r = 0; r < 2; r++) {
            JsonNode report = replica(r).get("/v1/experiments/losses").json();
            assertThat(report.get("feedback_scope").asString()).isEqualTo("fleet");
            assertThat(report.get("traffic_scope").asString()).isEqualTo("instance");
            long[] counted = new long[4];
            for (JsonNode v : report.get("variants")) {
                JsonNode fb = v.get("feedback");
                counted[0] += fb.get("true_accepts").asLong();
                counted[1] += fb.get("false_accepts").asLong();
                counted[2] += fb.get("true_rejects").asLong();
                counted[3] += fb.get("false_rejects").asLong();
            }
            assertThat(counted).as("replica " + r).containsExactly(expected);
            assertThat(report.get("requests").asLong()).as("this replica's own traffic").isEqualTo(before[r] + 4);
        }
        System.out.printf("fleet: 8 LFW pairs verified on two replicas, feedback at the other one, counted once: "
                + "{TA, FA, TR, FR} = %s on both reports%n", java.util.Arrays.toString(expected));
        assertThat(replica(0).postJson("/v1/feedback", Map.of("verification_id", "expired-or-never", "same", true)).status())
                .isEqualTo(404);

        // Redis goes away: verifications still answer at once (without their feedback record), feedback is a
        // 503 store_unavailable, health stays UP
        redis.close();
        redis = null;
        byte[] a = TestImages.read(lfw, "Aaron_Peirsol", 1);
        byte[] b = TestImages.read(lfw, "Aaron_Peirsol", 2);
        long start = System.nanoTime();
        var verify = replica(0).verify(a, b, Map.of());
        double ms = (System.nanoTime() - start) / 1e6;
        assertThat(verify.status()).as(verify.body()).isEqualTo(200);
        var feedback = replica(1).postJson("/v1/feedback", Map.of("verification_id",
                verify.json().get("verification_id").asString(), "same", true));
        assertThat(feedback.status()).as(feedback.body()).isEqualTo(503);
        assertThat(feedback.json().get("code").asString()).isEqualTo("store_unavailable");
        assertThat(replica(0).get("/actuator/health").json().get("status").asString()).isEqualTo("UP");
        System.out.printf("fleet: with Redis down a verification took %.0f ms and feedback answered 503%n", ms);
    }
}
