package dev.faceoff.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    Admission admission(int workers, int queue, Duration wait, long budget) {
        return new Admission(new LimitsProperties(true, workers, queue, wait, DataSize.ofBytes(budget), Duration.ofSeconds(5), 16, true),
                IMAGES, new FaceoffMetrics(registry));
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

    double count(String outcome, String reason) {
        var c = registry.find("faceoff.admission").tag("outcome", outcome).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aRequestThatCouldNotEvenWaitIsRefusedBeforeItsBodyIsRead() throws Exception {
        Admission a = admission(1, 1, Duration.ofSeconds(2), 1 << 20);
        a.refuseIfFull();   // a free worker
        var working = a.enter(Deadline.NONE);
        a.refuseIfFull();   // the queue has room
        var waiter = waiting(a);
        assertThatThrownBy(a::refuseIfFull).isInstanceOfSatisfying(FaceoffException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
        working.close();
        waiter.get(1, TimeUnit.SECONDS);
        assertThat(count("rejected", "queue_full")).isEqualTo(1);
    }

    @Test
    void aSpareWorkerIsLentOnlyWhenOneIsIdleAndNobodyWaits() throws Exception {
        Admission a = admission(2, 2, Duration.ofSeconds(2), 1 << 20);
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
        Admission a = admission(2, 2, Duration.ofSeconds(2), 1 << 20);
        MDC.put("request_id", "r-1");
        try (var request = a.enter(Deadline.NONE)) {
            var task = a.onSpareWorker(() -> MDC.get("request_id") + " on " + Thread.currentThread().getName());
            assertThat(task).isPresent();
            assertThat(task.get().get(1, TimeUnit.SECONDS)).startsWith("r-1 on faceoff-prepare-");
            assertThat(a.spare()).as("the task's worker came back").isPresent().get().satisfies(Admission.Permit::close);
        } finally {
            MDC.clear();
        }
        var serial = new Admission(new LimitsProperties(true, 2, 2, Duration.ofSeconds(1), DataSize.ofMegabytes(1),
                Duration.ofSeconds(5), 16, false), IMAGES, new FaceoffMetrics(new SimpleMeterRegistry()));
        try (var request = serial.enter(Deadline.NONE)) {
            assertThat(serial.onSpareWorker(() -> "never")).as("faceoff.limits.parallel-images off").isEmpty();
        }
    }

    @Test
    void anImageCostsTheDecodedPixelsItsHeaderAnnouncesUnlessItWillBeRefused() throws Exception {
        Admission a = admission(1, 1, Duration.ofSeconds(1), 1 << 20);
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 10, java.awt.image.BufferedImage.TYPE_3BYTE_BGR),
                "png", out);
        byte[] png = out.toByteArray();
        assertThat(a.cost(png)).isEqualTo(200L * Admission.BYTES_PER_PIXEL);
        assertThat(a.cost(new byte[]{1, 2, 3})).as("unreadable: never decoded").isZero();
        var small = new Admission(new LimitsProperties(true, 1, 1, Duration.ofSeconds(1), DataSize.ofMegabytes(1),
                Duration.ofSeconds(5), 16, true), new ImageProperties(DataSize.ofMegabytes(1), 199),
                new FaceoffMetrics(new SimpleMeterRegistry()));
        assertThat(small.cost(png)).as("over faceoff.image.max-pixels: refused before decoding").isZero();
        try (var pixels = a.reserveDecoded(java.util.List.of(png, png), 0)) {
            assertThat(registry.get("faceoff.admission.memory.reserved").gauge().value()).isEqualTo(400.0 * Admission.BYTES_PER_PIXEL);
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnceAndAWaitThatRunsOutIsRefusedToo() throws Exception {
        Admission a = admission(1, 1, Duration.ofMillis(200), 1 << 20);
        try (var first = a.enter(Deadline.NONE)) {
            // a second request waits in the one queue place ...
            var waiter = waiting(a);
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
        Admission a = admission(1, 1, Duration.ofSeconds(5), 1 << 20);
        var first = a.enter(Deadline.NONE);
        var waiter = CompletableFuture.supplyAsync(() -> a.enter(Deadline.NONE));
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        first.close();
        waiter.get(2, TimeUnit.SECONDS).close();
    }

    @Test
    void theWaitNeverRunsPastTheDeadline() {
        Admission a = admission(1, 4, Duration.ofSeconds(10), 1 << 20);
        try (var first = a.enter(Deadline.NONE)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> a.enter(Deadline.after(Duration.ofMillis(100)))).isInstanceOf(FaceoffException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(90L, 5_000L);
        }
    }

    @Test
    void memoryBeyondTheBudgetIsRefusedAndReturnedOnClose() {
        Admission a = admission(4, 4, Duration.ofMillis(10), 1000);
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
        Admission a = admission(0, 0, Duration.ofSeconds(1), 0);
        assertThat(a.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(a.queue()).isEqualTo(4 * a.workers());
        assertThat(a.budget()).isEqualTo(Admission.memoryLimit() / 4).isPositive();
    }

    @Test
    void aDisabledAdmissionAdmitsEverything() {
        var a = new Admission(new LimitsProperties(false, 1, 1, Duration.ZERO, DataSize.ofBytes(1), Duration.ofSeconds(5), 16, true),
                IMAGES, new FaceoffMetrics(registry));
        var p1 = a.enter(Deadline.NONE);
        var p2 = a.enter(Deadline.NONE);
        a.reserve(10, 0).close();
        a.reserve(10, 0).close();
        p1.close();
        p2.close();
    }
}
