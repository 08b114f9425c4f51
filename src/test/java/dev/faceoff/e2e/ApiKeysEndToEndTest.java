package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.faceoff.SharedData;
import dev.faceoff.testing.EndToEnd;

/**
 * API keys on (faceoff.security.enabled), on the real service and models over real HTTP: /v1 needs a key,
 * admin endpoints the admin role, a key over its rate gets 429 with Retry-After; health and metrics stay
 * open (health's details for the admin role only); no user store; the keys appear in no response, metric or log line (only their names do).
 */
@EndToEnd
@ExtendWith(OutputCaptureExtension.class)
class ApiKeysEndToEndTest {

    static final String CLIENT_KEY = "fo_client-key-for-the-end-to-end-test-0123456789";
    static final String ADMIN_KEY = "fo_admin-key-for-the-end-to-end-test-9876543210";
    static final String SLOW_KEY = "fo_slow-key-for-the-end-to-end-test-5555555555";

    @LocalServerPort
    int port;

    static byte[] a;
    static byte[] b;

    @BeforeAll
    static void data() throws Exception {
        var photos = TestImages.samePerson();
        a = photos.a();
        b = photos.b();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("faceoff.security.enabled", () -> "true");
        registry.add("faceoff.security.default-rate", () -> "1000");
        String[][] keys = {{"client-app", "client", CLIENT_KEY, ""}, {"ops", "admin", ADMIN_KEY, ""},
                {"slow-app", "client", SLOW_KEY, "2"}};
        for (int i = 0; i < keys.length; i++) {
            String[] k = keys[i];
            registry.add("faceoff.security.keys[" + i + "].name", () -> k[0]);
            registry.add("faceoff.security.keys[" + i + "].role", () -> k[1]);
            registry.add("faceoff.security.keys[" + i + "].sha256", () -> sha256(k[2]));
            if (!k[3].isEmpty()) {
                registry.add("faceoff.security.keys[" + i + "].rate", () -> k[3]);
            }
        }
    }

    static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Http.Response send(String method, String path, String body, Map<String, String> headers) throws Exception {
        return new Http(port).send(method, path, body, headers);
    }

    static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    String verifyJson() {
        var b64 = java.util.Base64.getEncoder();
        return "{\"image1\":\"" + b64.encodeToString(a) + "\",\"image2\":\"" + b64.encodeToString(b) + "\"}";
    }

    @Test
    void v1NeedsAKeyAndAcceptsItAsBearerOrXApiKey(CapturedOutput output) throws Exception {
        for (String path : new String[] {"/v1/models", "/v1/experiments"}) {
            var r = send("GET", path, null, Map.of());
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("code").asString()).isEqualTo("unauthorized");
        }
        var noKey = send("POST", "/v1/verify", verifyJson(), Map.of());
        assertThat(noKey.status()).isEqualTo(401);
        var feedback = send("POST", "/v1/feedback", "{\"verification_id\":\"x\",\"same_person\":true}", Map.of());
        assertThat(feedback.status()).isEqualTo(401);
        var wrong = send("GET", "/v1/models", null, bearer("fo_not-a-key"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("detail").asString()).isEqualTo("unknown API key");

        var verified = send("POST", "/v1/verify", verifyJson(), bearer(CLIENT_KEY));
        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        assertThat(verified.json().get("match").asBoolean()).isTrue();
        assertThat(send("GET", "/v1/models", null, Map.of("X-API-Key", CLIENT_KEY)).status()).isEqualTo(200);

        // open without a key: probes, metrics, API documentation
        assertThat(send("GET", "/actuator/health/readiness", null, Map.of()).status()).isEqualTo(200);
        String metrics = send("GET", "/actuator/prometheus", null, Map.of()).body();
        assertThat(metrics).contains("faceoff_api_keys_total{application=\"faceoff\",key=\"client-app\",outcome=\"accepted\"}");
        assertThat(send("GET", "/v3/api-docs", null, Map.of()).status()).isEqualTo(200);

        // names, never keys, in metrics and logs
        for (String key : new String[] {CLIENT_KEY, ADMIN_KEY, "fo_not-a-key"}) {
            assertThat(metrics).doesNotContain(key);
            assertThat(output.getAll()).doesNotContain(key);
        }
    }

    @Test
    void aKeySeesOnlyItsTenantsSubjects() throws Exception {
        assertThat(send("PUT", "/v1/subjects/tenant-check", null, Map.of()).status()).isEqualTo(401);
        assertThat(send("PUT", "/v1/subjects/tenant-check", null, bearer(CLIENT_KEY)).status()).isEqualTo(201);
        assertThat(send("GET", "/v1/subjects/tenant-check", null, bearer(CLIENT_KEY)).status()).isEqualTo(200);
        var other = send("GET", "/v1/subjects/tenant-check", null, bearer(ADMIN_KEY));
        assertThat(other.status()).as("another tenant's key").isEqualTo(404);
        assertThat(other.json().get("code").asString()).isEqualTo("unknown_subject");
        assertThat(send("GET", "/v1/subjects", null, bearer(ADMIN_KEY)).json().get("subjects")).isEmpty();
        assertThat(send("DELETE", "/v1/subjects/tenant-check", null, bearer(ADMIN_KEY)).status()).isEqualTo(404);
        assertThat(send("DELETE", "/v1/subjects/tenant-check", null, bearer(CLIENT_KEY)).status()).isEqualTo(204);
    }

    @Test
    void healthShowsItsDetailsToTheAdminRoleOnly() throws Exception {
        for (var headers : List.of(Map.<String, String>of(), bearer(CLIENT_KEY))) {
            var health = send("GET", "/actuator/health", null, headers).json();
            assertThat(health.get("status").asString()).isEqualTo("UP");
            assertThat(health.has("components")).as(health.toString()).isFalse();
        }
        var health = send("GET", "/actuator/health", null, bearer(ADMIN_KEY)).json();
        assertThat(health.at("/components/models/details/models/mobilefacenet-faceplugin/provider").asString()).isEqualTo("cpu");
        assertThat(health.at("/components/gallery/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/gallery/details/store").asString()).isEqualTo("embedded");
        assertThat(send("GET", "/actuator/prometheus", null, Map.of()).body()).containsPattern("(?m)^faceoff_gallery_store_up\\{[^}]*\\} 1\\.0$");
        // no disk paths in a health answer, not even the admin's
        assertThat(health.toString()).doesNotContain("diskSpace").doesNotContain(SharedData.models().toString());
    }

    @Test
    void thereIsNoUserStore(ApplicationContext context) {
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
    }

    @Test
    void changingExperimentWeightsNeedsTheAdminRole() throws Exception {
        String body = "{\"weights\":{\"a\":50}}";
        var client = send("PUT", "/v1/experiments/none/weights", body, bearer(CLIENT_KEY));
        assertThat(client.status()).isEqualTo(403);
        assertThat(client.json().get("code").asString()).isEqualTo("forbidden");
        assertThat(client.json().get("detail").asString()).contains("client-app");
        // the admin key passes the security rules and reaches the controller, which knows no such experiment
        var admin = send("PUT", "/v1/experiments/none/weights", body, bearer(ADMIN_KEY));
        assertThat(admin.status()).as(admin.body()).isEqualTo(404);
        assertThat(admin.json().get("code").asString()).isEqualTo("unknown_experiment");
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfterAndOtherKeysDoNot() throws Exception {
        int limited = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            var r = send("GET", "/v1/models", null, bearer(SLOW_KEY));
            if (r.status() == 429) {
                assertThat(r.json().get("code").asString()).isEqualTo("rate_limited");
                assertThat(r.headers().firstValue("Retry-After")).contains("1");
                limited++;
            } else {
                assertThat(r.status()).isEqualTo(200);
            }
        }
        // 2 per second: requests sent within s seconds span at most floor(s) + 2 periods of the limiter
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(8 - limited).isLessThanOrEqualTo(2 * ((int) seconds + 2));
        assertThat(limited).isGreaterThanOrEqualTo(1);
        assertThat(send("GET", "/v1/models", null, bearer(CLIENT_KEY)).status()).isEqualTo(200);
        assertThat(send("GET", "/actuator/prometheus", null, Map.of()).body())
                .contains("faceoff_api_keys_total{application=\"faceoff\",key=\"slow-app\",outcome=\"rate_limited\"}");
    }
}
