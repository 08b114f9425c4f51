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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.image.ImageHeader;
import dev.faceoff.image.ImageProperties;

/**
 * Admission control, by memory and by work ({@code faceoff.limits.*}). Before its body is read a request
 * reserves the memory the body will take ({@link AdmissionFilter}); once it has arrived it needs one of
 * {@code max-in-flight} workers (waiting at most {@code queue-wait}, with at most {@code queue} others) and
 * a reservation of the memory its decoded images will take, from their headers ({@link #reserveDecoded}). All
 * reservations come from one {@code memory-budget}. Whatever does not fit is refused at once with 503
 * {@code overloaded} and {@code Retry-After}, so a burst costs rejections, never the process. An idle worker may
 * be lent to a request that holds one, to prepare another of its images on a helper thread ({@link #onSpareWorker}).
 */
@Component
public final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    /**
     * Decoded bytes per pixel charged for an image: 3 (BGR) for the decode and 12 for its padded working copy
     * (at most 4 times the pixels, {@code FacePipeline.border}).
     */
    static final int BYTES_PER_PIXEL = 15;

    private final boolean enabled;
    private final int workers;
    private final int queue;
    private final long queueWaitNanos;
    private final long budget;
    private final Semaphore free;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger working = new AtomicInteger();
    private final AtomicLong reserved = new AtomicLong();
    private final FaceoffMetrics metrics;
    private final long maxPixels;
    private final boolean parallelImages;
    /** The threads that run on spare workers ({@link #onSpareWorker}); bounded by the workers. */
    private final ExecutorService helpers;

    Admission(LimitsProperties limits, ImageProperties images, FaceoffMetrics metrics) {
        this.enabled = limits.enabled();
        this.workers = limits.maxInFlight() > 0 ? limits.maxInFlight() : Runtime.getRuntime().availableProcessors();
        this.queue = limits.queue() > 0 ? limits.queue() : 4 * workers;
        this.queueWaitNanos = limits.queueWait().toNanos();
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
        log.info("admission: {} workers, queue {}, queue wait {} ms, memory budget {} MB, deadline {} ms{}", workers,
                queue, limits.queueWait().toMillis(), budget >> 20, limits.deadline().toMillis(),
                enabled ? "" : " (disabled: every request is admitted)");
    }

    /** A worker, held until {@link #close()}. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Refuses (503 {@code overloaded}, reason {@code queue_full}) a request that could not even wait: every worker
     * busy and the queue full. {@link AdmissionFilter} asks before the body is read, so under overload a refusal
     * costs no parsing; {@link #enter} decides again once the body has arrived.
     */
    public void refuseIfFull() {
        if (enabled && free.availablePermits() == 0 && waiting.get() >= queue) {
            throw reject("queue_full", "all " + workers + " workers are busy and " + queue + " requests are waiting");
        }
    }

    /** Takes a worker, waiting in the queue if there is room, never past {@code deadline}. */
    public Permit enter(Deadline deadline) {
        if (!enabled) {
            return count(() -> { });
        }
        if (free.tryAcquire()) {
            return count(free::release);
        }
        if (waiting.incrementAndGet() > queue) {
            waiting.decrementAndGet();
            throw reject("queue_full", "all " + workers + " workers are busy and " + queue + " requests are waiting");
        }
        try {
            long wait = Math.min(queueWaitNanos, Math.max(0, deadline.remainingNanos()));
            if (!free.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw reject("queue_wait", "no worker became free within " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw reject("interrupted", "interrupted while waiting for a worker");
        } finally {
            waiting.decrementAndGet();
        }
        return count(free::release);
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
        return () -> {
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
        return new FaceoffException(ErrorCode.OVERLOADED, detail + "; retry later");
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
