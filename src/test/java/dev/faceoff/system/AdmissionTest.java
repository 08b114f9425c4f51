package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.util.unit.DataSize;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * Admission on a fake clock: time moves only when a test moves it, and a test that needs another thread in the
 * queue waits until that thread has told it so (Admission's {@code queued}, run as a request starts waiting for a
 * worker), never for a while. Real time passes only inside a waiter's bounded wait for a worker, and no assertion
 * reads it.
 */
@Timeout(30)
class AdmissionTest {

    static final long SECOND = 1_000_000_000L;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicLong now = new AtomicLong(1_000 * SECOND);
    final ExecutorService threads = Executors.newCachedThreadPool();
    /** One permit per request that started waiting for a worker. */
    final Semaphore queued = new Semaphore(0);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        MDC.clear();
    }

    /** Admission on the fake clock, with 200 Tomcat threads. */
    Admission admission(LimitsProperties limits) {
        return new Admission(limits, new FaceoffMetrics(registry), 200, now::get, queued::release);
    }

    Admission admission(int workers, int queue, double queueShare, boolean parallelImages) {
        return admission(new LimitsProperties(true, workers, queue, queueShare, DataSize.ofMegabytes(1),
                Duration.ofSeconds(10), 16, parallelImages));
    }

    /** One request served in {@code seconds} on the fake clock: the service time's first sample. */
    void serve(Admission a, double seconds) {
        var served = a.enter(Deadline.NONE);
        now.addAndGet(Math.round(seconds * SECOND));
        served.close();
    }

    /** {@code n} requests that enter {@code a} on other threads (no deadline), once all of them are in its queue. */
    CompletableFuture<Void> waiters(Admission a, int n) throws InterruptedException {
        int before = (int) gauge("faceoff.admission.waiting");
        var all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            all[i] = CompletableFuture.runAsync(() -> a.enter(Deadline.NONE).close(), threads);
        }
        awaitQueued(n);
        assertThat(gauge("faceoff.admission.waiting")).isEqualTo(before + n);
        return CompletableFuture.allOf(all);
    }

    /** Returns once {@code n} more requests have started waiting for a worker (the class's timeout bounds it). */
    void awaitQueued(int n) throws InterruptedException {
        queued.acquire(n);
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    double count(String outcome, String reason) {
        var c = registry.find("faceoff.admission").tag("outcome", outcome).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    Deadline inSeconds(double seconds) {
        return new Deadline(now.get() + Math.round(seconds * SECOND));
    }

    /**
     * 2 workers, a worker's time per request 1 s, so each place in the queue is half a second of predicted wait;
     * a deadline of 10 s and a queue-share of 0.5 let a request wait 5 s, 9 requests ahead.
     */
    @Test
    void aRequestWaitsWhileItsPredictedWaitFitsItsShareOfTheDeadlineAndIsRefusedAtOnceBeyond() throws Exception {
        Admission a = admission(2, 0, 0.5, false);
        serve(a, 1.0);
        assertThat(gauge("faceoff.admission.service.time")).isEqualTo(1.0);
        assertThat(gauge("faceoff.admission.wait.limit")).isEqualTo(5.0);
        var one = a.enter(Deadline.NONE);
        var two = a.enter(Deadline.NONE);
        a.arrive(inSeconds(10)).orElseThrow().close();   // first in the queue: 0.5 s
        var waiters = waiters(a, 9);
        assertThat(gauge("faceoff.admission.predicted.wait")).isEqualTo(5.0);
        a.arrive(inSeconds(10)).orElseThrow().close();   // 9 ahead: 5 s, the whole share
        var tenth = waiters(a, 1);
        assertThatThrownBy(() -> a.arrive(inSeconds(10))).as("10 ahead: 5.5 s")
                .isInstanceOfSatisfying(FaceoffException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
                    assertThat(e.getMessage()).contains("predicted at 5500 ms, more than 5000 ms");
                    assertThat(e.retryAfterSeconds()).as("the predicted wait of a newcomer, rounded up").isEqualTo(6);
                });
        // a request that took no place at arrival is held to the share of what its deadline has left: 6 s, so 3 s
        var late = inSeconds(10);
        now.addAndGet(4 * SECOND);
        assertThatThrownBy(() -> a.enter(late)).isInstanceOf(FaceoffException.class)
                .hasMessageContaining("more than 3000 ms");
        assertThat(count("rejected", "queue_time")).isEqualTo(2);
        one.close();
        two.close();
        CompletableFuture.allOf(waiters, tenth).get(10, TimeUnit.SECONDS);
        assertThat(gauge("faceoff.admission.predicted.wait")).as("a worker is free").isZero();
        assertThat(count("admitted", "ok")).as("the first, two, ten waiters").isEqualTo(13);
    }

    /**
     * A request let in before its body was read keeps its place: once it has arrived it is refused only when its
     * predicted wait leaves no time for its own work, not for the share (its body has been paid for); places still
     * arriving count for the requests behind them.
     */
    @Test
    void aRequestLetInBeforeItsBodyIsReadIsNotRefusedForTheShareOnceItArrives() throws Exception {
        Admission a = admission(2, 0, 0.5, false);
        serve(a, 1.0);   // half a second a place
        var one = a.enter(Deadline.NONE);
        var two = a.enter(Deadline.NONE);
        var waiters = waiters(a, 8);
        var deadline = inSeconds(10);
        var place = a.arrive(deadline);   // 8 ahead: 4.5 s of the 5 s share
        assertThat(place).isPresent();
        assertThat(gauge("faceoff.admission.predicted.wait")).as("the place counts: 10 ahead of a newcomer").isEqualTo(5.0);
        a.arrive(inSeconds(10)).orElseThrow().close();   // 9 ahead (8 waiting, 1 arriving): 5 s
        now.addAndGet(2 * SECOND);   // a slow upload: 8 s left, a share of 4 s, less than the 4.5 s predicted
        var admitted = CompletableFuture.supplyAsync(() -> a.enter(deadline, place), threads);
        awaitQueued(1);   // in the queue before the workers come back
        assertThat(gauge("faceoff.admission.waiting")).isEqualTo(9);
        assertThatThrownBy(() -> a.enter(deadline)).as("without a place: held to the share")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.getMessage()).contains("more than 4000 ms"));
        one.close();
        two.close();
        waiters.get(10, TimeUnit.SECONDS);
        admitted.get(10, TimeUnit.SECONDS).close();
        assertThat(count("rejected", "queue_time")).isEqualTo(1);
    }

    @Test
    void aFullQueueIsRefusedAtArrivalAndAtEntryAndItsWaiterGetsTheNextWorker() throws Exception {
        Admission a = admission(1, 1, 0.5, false);
        a.arrive(Deadline.NONE).orElseThrow().close();   // a free worker
        var working = a.enter(Deadline.NONE);
        a.arrive(Deadline.NONE).orElseThrow().close();   // the queue has room
        var waiter = CompletableFuture.supplyAsync(() -> a.enter(Deadline.NONE), threads);
        awaitQueued(1);
        assertThatThrownBy(() -> a.arrive(Deadline.NONE)).as("the safety net: queue = 1, before the body is read")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThatThrownBy(() -> a.enter(Deadline.NONE)).as("and once it has arrived")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(waiter).as("the worker is held").isNotDone();
        working.close();
        waiter.get(10, TimeUnit.SECONDS).close();
        assertThat(count("rejected", "queue_full")).isEqualTo(2);
        assertThat(count("admitted", "ok")).isEqualTo(2);
    }

    /** 1 s of service on one worker: a deadline 1.02 s away leaves 20 ms to wait, then the waiter gives up. */
    @Test
    void aWaiterGivesUpOnceItsDeadlineNoLongerHoldsOneServiceTime() {
        Admission a = admission(1, 4, 1.0, false);
        serve(a, 1.0);
        try (var first = a.enter(Deadline.NONE)) {
            assertThatThrownBy(() -> a.enter(inSeconds(1.02))).isInstanceOfSatisfying(FaceoffException.class,
                    e -> assertThat(e.getMessage()).contains("no worker became free within 20 ms"));
            assertThatThrownBy(() -> a.enter(inSeconds(1.0))).as("one service time left: at once")
                    .hasMessageContaining("within 0 ms");
        }
        assertThat(count("rejected", "queue_wait")).isEqualTo(2);
        a.enter(Deadline.NONE).close();   // the worker is free again
        assertThat(count("admitted", "ok")).isEqualTo(3);
    }

    /** Retry-After is the predicted wait of a newcomer, for a refusal by memory too. */
    @Test
    void everyRefusalCarriesThePredictedWaitAsRetryAfter() {
        Admission a = admission(1, 4, 0.5, false);
        serve(a, 2.5);
        assertThat(a.reserve(1 << 20, 0)).isNotNull();   // the whole budget, never returned
        assertThatThrownBy(() -> a.reserve(1, 0)).as("a free worker: at least 1 s")
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
        try (var busy = a.enter(Deadline.NONE)) {
            assertThatThrownBy(() -> a.reserve(1, 0)).as("2.5 s rounded up")
                    .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(3));
        }
        assertThat(count("rejected", "memory")).isEqualTo(2);
    }

    @Test
    void aSpareWorkerIsLentOnlyWhenOneIsIdleAndNobodyWaits() throws Exception {
        Admission a = admission(2, 2, 0.5, true);
        try (var request = a.enter(Deadline.NONE)) {
            var release = new CountDownLatch(1);
            var lent = a.onSpareWorker(() -> release.await(10, TimeUnit.SECONDS));
            assertThat(lent).as("one of two workers idle").isPresent();
            assertThat(a.onSpareWorker(() -> true)).as("both workers busy").isEmpty();
            // a request arriving now waits for the spare worker, not for the request's own
            var waiter = CompletableFuture.supplyAsync(() -> a.enter(Deadline.NONE), threads);
            awaitQueued(1);
            assertThat(waiter).isNotDone();
            release.countDown();
            assertThat(lent.get().get(10, TimeUnit.SECONDS)).isTrue();
            try (var next = waiter.get(10, TimeUnit.SECONDS)) {
                assertThat(gauge("faceoff.admission.working")).isEqualTo(2);
            }
        }
        assertThat(count("admitted", "ok")).as("spares are not admissions").isEqualTo(2);
        try (var p1 = a.enter(Deadline.NONE); var p2 = a.enter(Deadline.NONE)) {   // every worker came back
            assertThat(gauge("faceoff.admission.working")).isEqualTo(2);
        }
    }

    @Test
    void aTaskOnASpareWorkerRunsInTheCallersLogContextAndGivesTheWorkerBack() throws Exception {
        Admission a = admission(2, 2, 0.5, true);
        MDC.put("request_id", "r-1");
        try (var request = a.enter(Deadline.NONE)) {
            var task = a.onSpareWorker(() -> MDC.get("request_id") + " on " + Thread.currentThread().getName());
            assertThat(task).isPresent();
            assertThat(task.get().get(10, TimeUnit.SECONDS)).startsWith("r-1 on faceoff-prepare-");
            var again = a.onSpareWorker(() -> "again");
            assertThat(again).as("the task's worker came back").isPresent();
            assertThat(again.get().get(10, TimeUnit.SECONDS)).isEqualTo("again");
        }
        Admission serial = admission(2, 2, 0.5, false);
        try (var request = serial.enter(Deadline.NONE)) {
            assertThat(serial.onSpareWorker(() -> "never")).as("faceoff.limits.parallel-images off").isEmpty();
        }
    }

    @Test
    void defaultsComeFromTheCoresTomcatsThreadsAndTheMemoryLimit() {
        admission(new LimitsProperties(true, 0, 0, 0.5, DataSize.ofBytes(0), Duration.ofSeconds(5), 16, true));
        assertThat(gauge("faceoff.admission.workers")).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(gauge("faceoff.admission.queue")).as("half of Tomcat's 200 threads").isEqualTo(100);
        assertThat(gauge("faceoff.admission.memory.budget")).isEqualTo(MemoryBudget.memoryLimit() / 4);
    }

    /** Off: one worker and a budget of 1 byte, yet two requests hold workers at once and no byte is refused. */
    @Test
    void aDisabledAdmissionAdmitsEverything() {
        Admission a = admission(new LimitsProperties(false, 1, 1, 0.5, DataSize.ofBytes(1), Duration.ofSeconds(5), 16, true));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(a.arrive(inSeconds(0))).as("no place taken").isEmpty();
            try (var p1 = a.enter(Deadline.NONE); var p2 = a.enter(inSeconds(0), Optional.empty());
                 var r1 = a.reserve(10, 0); var r2 = a.reserveDecoded(1500, 0)) {
                assertThat(gauge("faceoff.admission.working")).isEqualTo(2);
                assertThat(a.onSpareWorker(() -> "never")).as("no spare workers").isEmpty();
            }
        });
        assertThat(count("admitted", "ok")).isEqualTo(2);
        assertThat(registry.find("faceoff.admission").tag("outcome", "rejected").counters()).isEmpty();
        assertThat(gauge("faceoff.admission.working")).isZero();
    }
}
