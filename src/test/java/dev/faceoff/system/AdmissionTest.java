package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.util.unit.DataSize;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.image.ImageProperties;

class AdmissionTest {

    static final ImageProperties IMAGES = new ImageProperties(DataSize.ofMegabytes(10), 40_000_000);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    Admission admission(int workers, int queue, long budget) {
        return admission(new LimitsProperties(true, workers, queue, 0.5, DataSize.ofBytes(budget), Duration.ofSeconds(5), 16, true),
                System::nanoTime);
    }

    /** With 200 Tomcat threads and {@code clock}. */
    Admission admission(LimitsProperties limits, java.util.function.LongSupplier clock) {
        return new Admission(limits, IMAGES, new FaceoffMetrics(registry), 200, clock);
    }

    /** A request that enters {@code a} on another thread, once it is (about 50 ms later) waiting in the queue. */
    static CompletableFuture<Void> waiting(Admission a) throws InterruptedException {
        var entered = new CountDownLatch(1);
        var waiter = CompletableFuture.runAsync(() -> {
            entered.countDown();
            a.enter(Deadline.NONE).close();
        });
        entered.await();
        Thread.sleep(50);
        return waiter;
    }

    /** {@code n} requests that enter {@code a} on other threads, once all of them are waiting in its queue. */
    CompletableFuture<Void> waiters(Admission a, int n) throws InterruptedException {
        double before = gauge("faceoff.admission.waiting");
        var threads = java.util.concurrent.Executors.newFixedThreadPool(n);
        var all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            all[i] = CompletableFuture.runAsync(() -> a.enter(Deadline.NONE).close(), threads);
        }
        threads.shutdown();
        while (gauge("faceoff.admission.waiting") < before + n) {
            Thread.sleep(5);
        }
        return CompletableFuture.allOf(all);
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    double count(String outcome, String reason) {
        var c = registry.find("faceoff.admission").tag("outcome", outcome).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /**
     * On a fake clock: 2 workers, a worker's time per request 1 s, so each place in the queue is half a second
     * of predicted wait; a deadline of 10 s and a queue-share of 0.5 let a request wait 5 s, 9 requests ahead.
     */
    @Test
    void aRequestWaitsWhileItsPredictedWaitFitsItsShareOfTheDeadlineAndIsRefusedAtOnceBeyond() throws Exception {
        var now = new AtomicLong(1_000_000_000_000L);
        Admission a = admission(new LimitsProperties(true, 2, 0, 0.5, DataSize.ofMegabytes(1), Duration.ofSeconds(10),
                16, false), now::get);
        var served = a.enter(Deadline.NONE);
        now.addAndGet(1_000_000_000L);
        served.close();   // the estimate: 1 s per request
        assertThat(gauge("faceoff.admission.service.time")).isEqualTo(1.0);
        assertThat(gauge("faceoff.admission.wait.limit")).isEqualTo(5.0);
        var one = a.enter(Deadline.NONE);
        var two = a.enter(Deadline.NONE);
        a.arrive(deadline(now, 10)).close();   // first in the queue: 0.5 s
        var waiters = waiters(a, 9);
        assertThat(gauge("faceoff.admission.predicted.wait")).isEqualTo(5.0);
        a.arrive(deadline(now, 10)).close();   // 9 ahead: 5 s, the whole share
        var third = waiters(a, 1);
        assertThatThrownBy(() -> a.arrive(deadline(now, 10))).as("10 ahead: 5.5 s")
                .isInstanceOfSatisfying(FaceoffException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    assertThat(e.getMessage()).contains("predicted at 5500 ms, more than 5000 ms");
                    assertThat(e.retryAfterSeconds()).as("the predicted wait of a newcomer, rounded up").isEqualTo(6);
                });
        // a request that took no place at arrival is held to the share of what its deadline has left: 6 s, so 3 s
        var late = deadline(now, 10);
        now.addAndGet(4_000_000_000L);
        assertThatThrownBy(() -> a.enter(late)).isInstanceOf(FaceoffException.class)
                .hasMessageContaining("more than 3000 ms");
        assertThat(count("rejected", "queue_time")).isEqualTo(2);
        one.close();
        two.close();
        CompletableFuture.allOf(waiters, third).get(2, TimeUnit.SECONDS);
        assertThat(gauge("faceoff.admission.predicted.wait")).as("a worker is free").isZero();
    }

    /**
     * A request let in before its body was read keeps its place: at {@link Admission#enter} it is refused only when
     * its predicted wait leaves no time for its own work, not for the share (its body has been paid for); places
     * still arriving count for the requests behind them.
     */
    @Test
    void aRequestLetInBeforeItsBodyIsReadIsNotRefusedForTheShareOnceItArrives() throws Exception {
        var now = new AtomicLong(1_000_000_000_000L);
        Admission a = admission(new LimitsProperties(true, 2, 0, 0.5, DataSize.ofMegabytes(1), Duration.ofSeconds(10),
                16, false), now::get);
        var served = a.enter(Deadline.NONE);
        now.addAndGet(1_000_000_000L);
        served.close();   // 1 s per request: half a second a place
        var one = a.enter(Deadline.NONE);
        var two = a.enter(Deadline.NONE);
        var waiters = waiters(a, 8);
        var deadline = deadline(now, 10);
        var place = a.arrive(deadline);   // 8 ahead: 4.5 s of the 5 s share
        assertThat(gauge("faceoff.admission.predicted.wait")).as("the place counts: 10 ahead of a newcomer").isEqualTo(5.0);
        a.arrive(deadline(now, 10)).close();   // 9 ahead (8 waiting, 1 arriving): 5 s
        now.addAndGet(2_000_000_000L);   // a slow upload: 8 s left, a share of 4 s, less than the 4.5 s predicted
        var admitted = CompletableFuture.supplyAsync(() -> a.enter(deadline, place));
        while (gauge("faceoff.admission.waiting") < 9) {   // in the queue before the workers come back
            Thread.sleep(5);
        }
        assertThatThrownBy(() -> a.enter(deadline)).as("without a place: held to the share")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.getMessage()).contains("more than 4000 ms"));
        one.close();
        two.close();
        CompletableFuture.allOf(waiters).get(2, TimeUnit.SECONDS);
        admitted.get(2, TimeUnit.SECONDS).close();
        assertThat(count("rejected", "queue_time")).isEqualTo(1);
    }

    static Deadline deadline(AtomicLong now, int seconds) {
        return new Deadline(now.get() + seconds * 1_000_000_000L);
    }

    @Test
    void theServiceTimeIsAMovingEstimateOfAWorkersTimePerRequest() {
        var now = new AtomicLong();
        Admission a = admission(new LimitsProperties(true, 1, 0, 0.5, DataSize.ofMegabytes(1), Duration.ofSeconds(5),
                16, false), now::get);
        assertThat(gauge("faceoff.admission.service.time")).as("nothing served yet").isZero();
        for (long millis : new long[]{100, 300}) {
            var permit = a.enter(Deadline.NONE);
            now.addAndGet(millis * 1_000_000);
            permit.close();
        }
        // the mean of the first ten samples (here two), then a tenth of the way towards each newer one
        assertThat(gauge("faceoff.admission.service.time")).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        for (int i = 0; i < 8; i++) {
            var permit = a.enter(Deadline.NONE);
            now.addAndGet(100_000_000);
            permit.close();
        }
        assertThat(gauge("faceoff.admission.service.time")).isCloseTo(0.12, org.assertj.core.data.Offset.offset(1e-9));
        var eleventh = a.enter(Deadline.NONE);
        now.addAndGet(1_320_000_000);
        eleventh.close();
        assertThat(gauge("faceoff.admission.service.time")).isCloseTo(0.24, org.assertj.core.data.Offset.offset(1e-9));
        for (int i = 0; i < 100; i++) {
            var permit = a.enter(Deadline.NONE);
            now.addAndGet(300_000_000);
            permit.close();
        }
        assertThat(gauge("faceoff.admission.service.time")).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-3));
        try (var busy = a.enter(Deadline.NONE)) {
            assertThat(a.retryAfterSeconds()).as("0.3 s rounded up").isEqualTo(1);
            try (var held = a.reserve(1, 0)) {
                assertThatThrownBy(() -> a.reserve(10 << 20, 0)).isInstanceOfSatisfying(FaceoffException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
            }
        }
    }

    @Test
    void aRequestThatCouldNotEvenWaitIsRefusedBeforeItsBodyIsRead() throws Exception {
        Admission a = admission(1, 1, 1 << 20);
        a.arrive(Deadline.NONE).close();   // a free worker
        var working = a.enter(Deadline.NONE);
        a.arrive(Deadline.NONE).close();   // the queue has room
        var waiter = waiting(a);
        assertThatThrownBy(() -> a.arrive(Deadline.NONE)).as("the safety net: queue = 1")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        working.close();
        waiter.get(1, TimeUnit.SECONDS);
        assertThat(count("rejected", "queue_full")).isEqualTo(1);
    }

    @Test
    void aSpareWorkerIsLentOnlyWhenOneIsIdleAndNobodyWaits() throws Exception {
        Admission a = admission(2, 2, 1 << 20);
        try (var request = a.enter(Deadline.NONE)) {
            var spare = a.spare();
            assertThat(spare).as("one of two workers idle").isPresent();
            assertThat(a.spare()).as("both workers busy").isEmpty();
            // a request arriving now waits for the spare, not for the request's first worker
            var waiter = CompletableFuture.runAsync(() -> a.enter(Deadline.NONE).close());
            Thread.sleep(50);
            assertThat(waiter).isNotDone();
            spare.get().close();
            waiter.get(1, TimeUnit.SECONDS);
        }
        assertThat(count("admitted", "ok")).as("spares are not admissions").isEqualTo(2);
        a.enter(Deadline.NONE).close();
        a.enter(Deadline.NONE).close();   // every worker came back
    }

    @Test
    void aTaskOnASpareWorkerRunsInTheCallersLogContextAndGivesTheWorkerBack() throws Exception {
        Admission a = admission(2, 2, 1 << 20);
        MDC.put("request_id", "r-1");
        try (var request = a.enter(Deadline.NONE)) {
            var task = a.onSpareWorker(() -> MDC.get("request_id") + " on " + Thread.currentThread().getName());
            assertThat(task).isPresent();
            assertThat(task.get().get(1, TimeUnit.SECONDS)).startsWith("r-1 on faceoff-prepare-");
            assertThat(a.spare()).as("the task's worker came back").isPresent().get().satisfies(Admission.Permit::close);
        } finally {
            MDC.clear();
        }
        var serial = new Admission(new LimitsProperties(true, 2, 2, 0.5, DataSize.ofMegabytes(1),
                Duration.ofSeconds(5), 16, false), IMAGES, new FaceoffMetrics(new SimpleMeterRegistry()), 200);
        try (var request = serial.enter(Deadline.NONE)) {
            assertThat(serial.onSpareWorker(() -> "never")).as("faceoff.limits.parallel-images off").isEmpty();
        }
    }

    @Test
    void anImageCostsTheDecodedPixelsItsHeaderAnnouncesUnlessItWillBeRefused() throws Exception {
        Admission a = admission(1, 1, 1 << 20);
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 10, java.awt.image.BufferedImage.TYPE_3BYTE_BGR),
                "png", out);
        byte[] png = out.toByteArray();
        assertThat(a.cost(png)).isEqualTo(200L * Admission.BYTES_PER_PIXEL);
        assertThat(a.cost(new byte[]{1, 2, 3})).as("unreadable: never decoded").isZero();
        var small = new Admission(new LimitsProperties(true, 1, 1, 0.5, DataSize.ofMegabytes(1),
                Duration.ofSeconds(5), 16, true), new ImageProperties(DataSize.ofMegabytes(1), 199),
                new FaceoffMetrics(new SimpleMeterRegistry()), 200);
        assertThat(small.cost(png)).as("over faceoff.image.max-pixels: refused before decoding").isZero();
        try (var pixels = a.reserveDecoded(java.util.List.of(png, png), 0)) {
            assertThat(registry.get("faceoff.admission.memory.reserved").gauge().value()).isEqualTo(400.0 * Admission.BYTES_PER_PIXEL);
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnceAndAWaitThatRunsOutIsRefusedToo() throws Exception {
        Admission a = admission(1, 1, 1 << 20);
        try (var first = a.enter(Deadline.NONE)) {
            // a second request, with 200 ms to its deadline, waits in the one queue place ...
            var entered = new CountDownLatch(1);
            var waiter = CompletableFuture.runAsync(() -> {
                entered.countDown();
                a.enter(Deadline.after(Duration.ofMillis(200))).close();
            });
            entered.await();
            Thread.sleep(50);
            // ... so a third finds the queue full
            long start = System.nanoTime();
            assertThatThrownBy(() -> a.enter(Deadline.NONE)).isInstanceOfSatisfying(FaceoffException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(150);
            // the waiter gives up after its 200 ms: the first still holds the only worker
            assertThatThrownBy(waiter::join).hasCauseInstanceOf(FaceoffException.class);
        }
        assertThat(count("rejected", "queue_full")).isEqualTo(1);
        assertThat(count("rejected", "queue_wait")).isEqualTo(1);
        // the worker is free again
        a.enter(Deadline.NONE).close();
        assertThat(count("admitted", "ok")).isEqualTo(2);
    }

    @Test
    void aWaiterGetsTheWorkerWhenItIsReleased() throws Exception {
        Admission a = admission(1, 1, 1 << 20);
        var first = a.enter(Deadline.NONE);
        var waiter = CompletableFuture.supplyAsync(() -> a.enter(Deadline.NONE));
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        first.close();
        waiter.get(2, TimeUnit.SECONDS).close();
    }

    @Test
    void theWaitNeverRunsPastTheDeadline() {
        Admission a = admission(1, 4, 1 << 20);
        try (var first = a.enter(Deadline.NONE)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> a.enter(Deadline.after(Duration.ofMillis(100)))).isInstanceOf(FaceoffException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(90L, 5_000L);
        }
    }

    @Test
    void memoryBeyondTheBudgetIsRefusedAndReturnedOnClose() {
        Admission a = admission(4, 4, 1000);
        var r1 = a.reserve(600, 0);
        assertThatThrownBy(() -> a.reserve(500, 0)).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        a.reserve(400, 0).close();
        r1.close();
        // alone, a request larger than the whole budget is admitted: no valid request is refused forever
        try (var big = a.reserve(5000, 0)) {
            assertThatThrownBy(() -> a.reserve(1, 0)).isInstanceOf(FaceoffException.class);
        }
        a.reserve(1000, 0).close();
        // a request's own body does not count against it: holding 300 (its body), it may take 5000 more
        try (var body = a.reserve(300, 0); var pixels = a.reserve(5000, 300)) {
            assertThatThrownBy(() -> a.reserve(1, 0)).isInstanceOf(FaceoffException.class);
        }
        assertThat(count("rejected", "memory")).isEqualTo(3);
        assertThat(registry.get("faceoff.admission.memory.reserved").gauge().value()).isZero();
    }

    @Test
    void defaultsComeFromTheCoresAndTheMemoryLimit() {
        Admission a = admission(0, 0, 0);
        assertThat(a.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(a.queue()).as("half of Tomcat's 200 threads").isEqualTo(100);
        assertThat(a.budget()).isEqualTo(Admission.memoryLimit() / 4).isPositive();
    }

    @Test
    void aDisabledAdmissionAdmitsEverything() {
        var a = admission(new LimitsProperties(false, 1, 1, 0.5, DataSize.ofBytes(1), Duration.ofSeconds(5), 16, true),
                System::nanoTime);
        var p1 = a.enter(Deadline.NONE);
        var p2 = a.enter(Deadline.NONE);
        a.reserve(10, 0).close();
        a.reserve(10, 0).close();
        p1.close();
        p2.close();
    }
}
