package dev.faceoff.system;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.image.ImageHeader;
import dev.faceoff.image.ImageProperties;

/**
 * Admission control, by memory and by work ({@code faceoff.limits.*}). Before its body is read a request
 * reserves the memory the body will take ({@link AdmissionFilter}); once it has arrived it needs one of
 * {@code max-in-flight} workers and a reservation of the memory its decoded images will take, from their headers
 * ({@link #reserveDecoded}). All reservations come from one {@code memory-budget}. Whatever does not fit is
 * refused at once with 503 {@code overloaded} and a {@code Retry-After} of the predicted wait, so a burst costs
 * rejections, never the process. An idle worker may be lent to a request that holds one, to prepare another of
 * its images on a helper thread ({@link #onSpareWorker}).
 *
 * <p>The queue for a worker is bounded by time, not by a count: a request waits when its predicted wait fits
 * within {@code queue-share} of the time left to its deadline, and is refused at once otherwise (reason
 * {@code queue_time}). The predicted wait is (its place in the queue + 1) × the service time per request ÷ the
 * workers, the service time a moving mean of the time a worker is held per request ({@link #WEIGHT}). A waiter gives up (reason {@code queue_wait}) once what is left of its deadline no longer holds one
 * service time. {@code queue}, a count, stays as a safety net (reason {@code queue_full}): by default half of
 * Tomcat's threads, so threads stay free to refuse and to answer probes and metrics.
 *
 * <p>Netflix's concurrency-limits (Gradient2, Vegas) was considered: its limiters adapt a concurrency limit so
 * that latency stays near the unloaded latency, and their queue ({@code LifoBlockingLimiter}) is bounded by a
 * count and a fixed timeout. Here the concurrency is fixed (one worker per core, CPU-bound work) and what must
 * adapt is how long a request may wait relative to its own deadline, decided before its body is read; no
 * limiter there predicts that wait, so this small estimator stays.
 */
@Component
public final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    /**
     * Decoded bytes per pixel charged for an image: 3 (BGR) for the decode and 12 for its padded working copy
     * (at most 4 times the pixels, {@code FacePipeline.border}).
     */
    static final int BYTES_PER_PIXEL = 15;

    /**
     * Weight of the newest sample in the moving estimate of the service time per request, once 10 requests have
     * been served; before, the plain mean of those served (so a slow first request after start-up weighs 1/n).
     */
    static final double WEIGHT = 0.1;

    private final boolean enabled;
    private final int workers;
    private final int queue;
    private final double queueShare;
    private final long deadlineNanos;
    private final long budget;
    private final Semaphore free;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Requests past {@link #arrive} whose bodies are being read: places in the queue already promised. */
    private final AtomicInteger arriving = new AtomicInteger();
    private final AtomicInteger working = new AtomicInteger();
    private final AtomicLong reserved = new AtomicLong();
    /** The moving estimate of a worker's time per request, in nanoseconds; 0 until a request has been served. */
    private final AtomicLong serviceNanos = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final LongSupplier clock;
    private final FaceoffMetrics metrics;
    private final long maxPixels;
    private final boolean parallelImages;
    /** The threads that run on spare workers ({@link #onSpareWorker}); bounded by the workers. */
    private final ExecutorService helpers;

    @Autowired
    Admission(LimitsProperties limits, ImageProperties images, FaceoffMetrics metrics,
              @Value("${server.tomcat.threads.max:200}") int threads) {
        this(limits, images, metrics, threads, System::nanoTime);
    }

    /** With {@code clock} for the service times and the deadlines (nanoseconds, as {@link System#nanoTime}). */
    Admission(LimitsProperties limits, ImageProperties images, FaceoffMetrics metrics, int threads, LongSupplier clock) {
        this.enabled = limits.enabled();
        this.workers = limits.maxInFlight() > 0 ? limits.maxInFlight() : Runtime.getRuntime().availableProcessors();
        this.queue = limits.queue() > 0 ? limits.queue() : Math.max(1, threads / 2);
        this.queueShare = limits.queueShare();
        this.deadlineNanos = limits.deadline().toNanos();
        this.clock = clock;
        this.budget = limits.memoryBudget().toBytes() > 0 ? limits.memoryBudget().toBytes() : memoryLimit() / 4;
        this.free = new Semaphore(workers, true);
        this.metrics = metrics;
        this.maxPixels = images.maxPixels();
        this.parallelImages = limits.parallelImages();
        var number = new AtomicInteger();
        this.helpers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faceoff-prepare-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        metrics.admissionGauges(working, waiting, reserved, budget, workers, queue);
        metrics.admissionWaitGauges(() -> serviceNanos.get() / 1e9, () -> predictedWaitNanos() / 1e9,
                queueShare * deadlineNanos / 1e9);
        log.info("admission: {} workers, a request waits while its predicted wait is within {} of its deadline ({} ms)"
                        + " and {} wait at most, memory budget {} MB{}", workers, queueShare, limits.deadline().toMillis(),
                queue, budget >> 20, enabled ? "" : " (disabled: every request is admitted)");
    }

    /** A worker, held until {@link #close()}. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** A request's place in the queue, taken before its body is read ({@link #arrive}), until it asks for a worker. */
    public interface Place extends AutoCloseable {
        @Override
        void close();
    }

    /** No place taken: {@link #enter} then decides on the queue alone (requests outside {@link AdmissionFilter}). */
    public static final Place NO_PLACE = () -> { };

    /**
     * The decision, before the body is read: refuses (503 {@code overloaded}) a request that could not wait for a
     * worker — every worker busy and its predicted wait, behind those waiting and those whose bodies are still
     * arriving, beyond {@code queue-share} of what is left to {@code deadline}, or the queue at its {@code queue}
     * safety net — and otherwise promises it a place, held while its body is read. {@link AdmissionFilter} asks, so
     * under overload a refusal costs no parsing, and a request let in is not refused later for the others let in
     * beside it (measured: refusals after the body was read cost goodput in an open-loop overload).
     */
    public Place arrive(Deadline deadline) {
        if (!enabled) {
            return NO_PLACE;
        }
        if (free.availablePermits() == 0) {
            refuseUnlessItCanWait(waiting.get() + arriving.get(), deadline);
        }
        arriving.incrementAndGet();
        var left = new AtomicBoolean();
        return () -> {
            if (left.compareAndSet(false, true)) {
                arriving.decrementAndGet();
            }
        };
    }

    /** {@link #enter(Deadline, Place)} for a request that took no place. */
    public Permit enter(Deadline deadline) {
        return enter(deadline, NO_PLACE);
    }

    /**
     * Takes a worker, waiting for one in turn, and giving up once what is left of the deadline no longer holds one
     * service time. A request with a {@code place} ({@link #arrive}) is refused now only when its predicted wait
     * leaves no time for its own work before the deadline; one without is held to {@code queue-share} as at arrival.
     */
    public Permit enter(Deadline deadline, Place place) {
        if (!enabled) {
            return count(() -> { });
        }
        boolean placed = place != NO_PLACE;
        int ahead = waiting.getAndIncrement();
        place.close();   // from arriving to waiting
        try {
            if (free.tryAcquire(0, TimeUnit.NANOSECONDS)) {   // in turn: never ahead of a waiter (a fair semaphore)
                return count(free::release);
            }
            if (placed) {   // let in at arrival: refused only if it cannot be served before its deadline
                refuseIfLonger(ahead, remainingNanos(deadline) - serviceNanos.get(), "the time its deadline leaves for its own work");
            } else {
                refuseUnlessItCanWait(ahead, deadline);
            }
            long wait = Math.max(0, remainingNanos(deadline) - serviceNanos.get());
            if (!free.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw reject("queue_wait", "no worker became free within " + TimeUnit.NANOSECONDS.toMillis(wait)
                        + " ms, the time left to the deadline less one service time");
            }
            return count(free::release);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw reject("interrupted", "interrupted while waiting for a worker");
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Refuses a request with {@code ahead} requests waiting before it unless it may wait ({@link #arrive}). */
    private void refuseUnlessItCanWait(int ahead, Deadline deadline) {
        if (ahead >= queue) {
            throw reject("queue_full", "all " + workers + " workers are busy and " + ahead + " requests are waiting");
        }
        refuseIfLonger(ahead, queueShare * remainingNanos(deadline), queueShare + " of the time left to the deadline");
    }

    /** Refuses (reason {@code queue_time}) a request whose predicted wait behind {@code ahead} is over {@code allowed}. */
    private void refuseIfLonger(int ahead, double allowedNanos, String allowance) {
        long predicted = predictedWaitNanos(ahead);
        if (predicted > allowedNanos) {
            throw reject("queue_time", "the wait for one of " + workers + " busy workers, behind " + ahead
                    + " requests, is predicted at " + TimeUnit.NANOSECONDS.toMillis(predicted) + " ms, more than "
                    + Math.round(Math.max(0, allowedNanos) / 1e6) + " ms (" + allowance + ")");
        }
    }

    /** The predicted wait for a worker behind {@code ahead} waiting requests: (ahead + 1) × service time ÷ workers. */
    long predictedWaitNanos(int ahead) {
        return (ahead + 1L) * serviceNanos.get() / workers;
    }

    /** The predicted wait of a request arriving now: 0 while a worker is free. */
    long predictedWaitNanos() {
        return free.availablePermits() > 0 ? 0 : predictedWaitNanos(waiting.get() + arriving.get());
    }

    /** The time left to {@code deadline} on this admission's clock (Long.MAX_VALUE for none). */
    private long remainingNanos(Deadline deadline) {
        return deadline.atNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : deadline.atNanos() - clock.getAsLong();
    }

    /** Seconds a refused client should wait before it tries again: the predicted wait of a newcomer, at least 1. */
    long retryAfterSeconds() {
        return Math.max(1, (predictedWaitNanos() + 999_999_999L) / 1_000_000_000L);
    }

    /** Moves the estimate of the service time towards a worker's time for one request. */
    private void served(long nanos) {
        double weight = Math.max(WEIGHT, 1.0 / served.incrementAndGet());
        serviceNanos.updateAndGet(mean -> Math.round(mean + weight * (nanos - mean)));
    }

    /**
     * Runs {@code task} on a helper thread holding a spare worker ({@link #spare()}), in the caller's log context
     * (its X-Request-Id), while the caller goes on with its own worker; the spare worker goes back when the task
     * ends. Empty, and nothing run, when no worker is spare or {@code faceoff.limits.parallel-images} is off.
     */
    public <T> Optional<Future<T>> onSpareWorker(Callable<T> task) {
        Optional<Permit> spare = parallelImages ? spare() : Optional.empty();
        if (spare.isEmpty()) {
            return Optional.empty();
        }
        Permit worker = spare.get();
        Map<String, String> logContext = MDC.getCopyOfContextMap();
        try {
            return Optional.of(helpers.submit(() -> {
                try (worker) {
                    if (logContext != null) {
                        MDC.setContextMap(logContext);
                    }
                    return task.call();
                } finally {
                    MDC.clear();
                }
            }));
        } catch (RuntimeException e) {   // rejected (shutting down): the worker goes back
            worker.close();
            throw e;
        }
    }

    /**
     * A second worker for a request that already holds one, only when a worker is idle and no request waits for
     * one: a request's own parallelism never delays another request. Empty otherwise, and with admission off.
     * Not counted as an admission.
     */
    Optional<Permit> spare() {
        if (!enabled || waiting.get() > 0 || !free.tryAcquire()) {
            return Optional.empty();
        }
        working.incrementAndGet();
        return Optional.of(() -> {
            working.decrementAndGet();
            free.release();
        });
    }

    @PreDestroy
    void stopHelpers() {
        helpers.shutdown();
    }

    private Permit count(Runnable release) {
        working.incrementAndGet();
        metrics.admission("admitted", "ok");
        long start = clock.getAsLong();
        return () -> {
            served(clock.getAsLong() - start);
            working.decrementAndGet();
            release.run();
        };
    }

    /** A share of the memory budget, returned by {@link #close()}. */
    public interface Reservation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Reserves {@code bytes} of the memory budget for a request that already holds {@code held} of it. A
     * request larger than the whole budget is still admitted when no other request holds memory (the image
     * limits bound it), so no valid request is refused forever.
     */
    public Reservation reserve(long bytes, long held) {
        if (!enabled) {
            return () -> { };
        }
        while (true) {
            long now = reserved.get();
            if (now > held && now + bytes > budget) {
                throw reject("memory", "the images would take " + (bytes >> 20) + " MB; " + (now >> 20) + " MB of the "
                        + (budget >> 20) + " MB budget for images in flight are taken");
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return () -> reserved.addAndGet(-bytes);
            }
        }
    }

    /**
     * Reserves the memory the decoded pixels of a request's {@code images} will take while they are prepared, from
     * their headers, for a request that already holds {@code held} of the budget ({@link #reserve}).
     */
    public Reservation reserveDecoded(List<byte[]> images, long held) {
        return reserve(images.stream().mapToLong(this::cost).sum(), held);
    }

    /**
     * The memory an image's pixels take while it is prepared, from its header. A header the pipeline will
     * refuse (unreadable, or over faceoff.image.max-pixels: 413) costs nothing: it is never decoded.
     */
    long cost(byte[] image) {
        long pixels;
        try {
            pixels = ImageHeader.read(image).pixels();
        } catch (FaceoffException e) {
            pixels = 0;
        }
        return pixels > maxPixels ? 0 : pixels * BYTES_PER_PIXEL;
    }

    void expired() {
        metrics.admission("expired", "deadline");
    }

    private FaceoffException reject(String reason, String detail) {
        metrics.admission("rejected", reason);
        return new FaceoffException(ErrorCode.OVERLOADED, detail + "; retry later", retryAfterSeconds());
    }

    long budget() {
        return budget;
    }

    int workers() {
        return workers;
    }

    int queue() {
        return queue;
    }

    /** The memory this JVM may use: -XX:MaxRAM when set, else what the OS reports (the container's limit). */
    static long memoryLimit() {
        long total = Long.MAX_VALUE;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
        }
        try {
            var hotspot = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            var maxRam = hotspot.getVMOption("MaxRAM");
            if (maxRam.getOrigin() != com.sun.management.VMOption.Origin.DEFAULT) {
                total = Math.min(total, Long.parseLong(maxRam.getValue()));
            }
        } catch (RuntimeException e) {
            // not a HotSpot JVM: the OS's number stands
        }
        return total == Long.MAX_VALUE ? Runtime.getRuntime().maxMemory() * 2 : total;
    }
}
