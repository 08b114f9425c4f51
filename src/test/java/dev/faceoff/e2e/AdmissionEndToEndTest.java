package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.faceoff.testing.EndToEnd;

/**
 * Admission control on the real service and models: a burst whose wait fits the deadline waits and is answered;
 * a burst beyond what the deadline allows gets 503 {@code overloaded} with Retry-After at once, while every
 * admitted request is answered; a request past its deadline gets 503 {@code deadline_exceeded}. All show in the
 * metrics.
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

    /** A response and how long it took on the client's clock. */
    record Timed(Http.Response response, long millis) {
    }

    /** A server on one worker ({@code faceoff.limits.max-in-flight=1}): bursts after warm-up requests. */
    abstract static class OnOneWorker {

        @LocalServerPort
        int port;

        /** {@code warm} requests one after the other (a service time measured), then {@code clients} at once. */
        List<Timed> warmThenBurst(int warm, int clients) throws Exception {
            var http = new Http(port);
            for (int i = 0; i < warm; i++) {
                assertThat(http.verify(a, b, Map.of()).status()).isEqualTo(200);
            }
            return burst(http, clients);
        }
    }

    /** {@code clients} verifications sent at once, each on its own connection. */
    static List<Timed> burst(Http http, int clients) throws Exception {
        var start = new CountDownLatch(1);
        var pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Timed>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    long t = System.nanoTime();
                    var r = http.verify(a, b, Map.of());
                    return new Timed(r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                }));
            }
            start.countDown();
            List<Timed> out = new ArrayList<>();
            for (var f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** Room for 32 requests of up to about 140 ms each (0.3 of 15 s) on a 2-core machine shared with other work. */
    @Nested
    @EndToEnd(properties = {"faceoff.limits.max-in-flight=1", "faceoff.limits.deadline=15s"})
    class TimeBoundedQueue extends OnOneWorker {

        /**
         * 32 requests at once on one worker wait about 32 service times, far inside the deadline: every one waits
         * and is answered, none is refused (a queue bounded by a count of 4 refused most of them).
         */
        @Test
        void aBurstThatFitsWithinTheDeadlineWaitsAndIsAnsweredInsteadOfRefused() throws Exception {
            int clients = 32;
            var responses = warmThenBurst(10, clients);
            long slowest = responses.stream().mapToLong(Timed::millis).max().orElseThrow();
            long answered = responses.stream().filter(t -> t.response().status() == 200).count();
            System.out.printf("admission e2e: %d concurrent requests on 1 worker: %d answered, slowest %d ms%n",
                    clients, answered, slowest);
            for (var timed : responses) {
                assertThat(timed.response().status()).as(timed.response().body()).isEqualTo(200);
            }
            assertThat(slowest).as("every request answered within the 15 s deadline").isLessThan(15_000);
            assertThat(new Http(port).get("/actuator/prometheus").body()).doesNotContain("outcome=\"rejected\"");
        }
    }

    /** A request may wait 1 % of the 5 s deadline: 50 ms, less than one service time. */
    @Nested
    @EndToEnd(properties = {"faceoff.limits.max-in-flight=1", "faceoff.limits.queue-share=0.01"})
    class Overload extends OnOneWorker {

        @Test
        void aBurstBeyondWhatTheDeadlineAllowsIsRefusedWithRetryAfterAndTheRestAnswered() throws Exception {
            int clients = 12;
            var responses = warmThenBurst(1, clients);
            var http = new Http(port);
            int ok = 0;
            int overloaded = 0;
            for (var timed : responses) {
                var r = timed.response();
                if (r.status() == 200) {
                    assertThat(r.json().get("match").asBoolean()).isTrue();
                    ok++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(503);
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.json().get("code").asString()).isEqualTo("overloaded");
                    assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                            seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
                    overloaded++;
                }
            }
            System.out.printf("admission e2e: %d concurrent requests on 1 worker, 50 ms of queue: %d answered, %d overloaded%n",
                    clients, ok, overloaded);
            assertThat(ok).isGreaterThanOrEqualTo(1);
            assertThat(overloaded).isGreaterThanOrEqualTo(1);
            String metrics = http.get("/actuator/prometheus").body();
            assertThat(metrics).contains("faceoff_admission_total{application=\"faceoff\",outcome=\"rejected\",reason=\"queue_time\"}");
            assertThat(metrics).contains("faceoff_admission_working{", "faceoff_admission_predicted_wait_seconds{",
                    "faceoff_admission_wait_limit_seconds{application=\"faceoff\"} 0.05");
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
