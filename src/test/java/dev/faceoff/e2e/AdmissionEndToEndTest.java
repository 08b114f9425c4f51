package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.faceoff.testing.EndToEnd;

/**
 * Admission control on the real service and models: a burst beyond one worker and one queue place gets
 * 503 {@code overloaded} with Retry-After at once, while every admitted request is answered; a request
 * past its deadline gets 503 {@code deadline_exceeded}. Both show in the metrics.
 */
class AdmissionEndToEndTest {

    static byte[] a;
    static byte[] b;

    @BeforeAll
    static void data() throws Exception {
        var photos = TestImages.samePerson();
        a = photos.a();
        b = photos.b();
    }

    @Nested
    @EndToEnd(properties = {"faceoff.limits.max-in-flight=1", "faceoff.limits.queue=1", "faceoff.limits.queue-wait=20ms"})
    class Overload {

        @LocalServerPort
        int port;

        @Test
        void aBurstBeyondTheWorkersAndTheQueueIsRefusedWithRetryAfterAndTheRestAnswered() throws Exception {
            var http = new Http(port);
            assertThat(http.verify(a, b, Map.of()).status()).isEqualTo(200);   // warm
            int clients = 12;
            var start = new CountDownLatch(1);
            var pool = Executors.newFixedThreadPool(clients);
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return http.verify(a, b, Map.of());
                }));
            }
            start.countDown();
            int ok = 0;
            int overloaded = 0;
            for (var f : futures) {
                var r = f.get();
                if (r.status() == 200) {
                    assertThat(r.json().get("match").asBoolean()).isTrue();
                    ok++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(503);
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.json().get("code").asString()).isEqualTo("overloaded");
                    assertThat(r.headers().firstValue("Retry-After")).contains("1");
                    overloaded++;
                }
            }
            pool.shutdown();
            System.out.printf("admission e2e: %d concurrent requests on 1 worker + 1 queue place: %d answered, %d overloaded%n",
                    clients, ok, overloaded);
            assertThat(ok).isGreaterThanOrEqualTo(1);
            assertThat(overloaded).isGreaterThanOrEqualTo(1);
            String metrics = http.get("/actuator/prometheus").body();
            assertThat(metrics).contains("faceoff_admission_total{application=\"faceoff\",outcome=\"rejected\"");
            assertThat(metrics).contains("faceoff_admission_working{");
            // the worker is free again: the next request is answered
            assertThat(http.verify(a, b, Map.of()).status()).isEqualTo(200);
        }
    }

    @Nested
    @EndToEnd(properties = "faceoff.limits.deadline=1ns")
    class Deadline {

        @LocalServerPort
        int port;

        @Test
        void aRequestPastItsDeadlineIsAbandonedWith503() throws Exception {
            var http = new Http(port);
            for (String path : List.of("/v1/verify", "/v1/embed")) {
                var r = path.equals("/v1/verify") ? http.verify(a, b, Map.of())
                        : http.postMultipart(path, Map.of("image", a), Map.of());
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.json().get("code").asString()).isEqualTo("deadline_exceeded");
                assertThat(r.headers().firstValue("Retry-After")).contains("1");
            }
            assertThat(http.get("/actuator/prometheus").body())
                    .contains("faceoff_admission_total{application=\"faceoff\",outcome=\"expired\",reason=\"deadline\"} 2.0");
        }
    }
}
