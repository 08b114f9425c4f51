package dev.faceoff.system;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

import dev.faceoff.common.Deadline;

/**
 * Admission control, by work and by memory ({@code faceoff.limits.*}), in front of its parts. Before its body is
 * read a request takes its place in the {@link WorkerQueue} ({@link #arrive}) and reserves the memory the body will
 * take from the {@link MemoryBudget} ({@link AdmissionFilter}); once it has arrived it needs one of
 * {@code max-in-flight} workers ({@link #enter}) and a reservation of the memory its decoded images will take, from
 * their headers ({@link #reserveDecoded}). Whatever does not fit is refused at once with 503 {@code overloaded} and
 * a {@code Retry-After} of the predicted wait, so a burst costs rejections, never the process. An idle worker may be
 * lent to a request that holds one, to prepare another of its images on a helper thread ({@link #onSpareWorker}).
 * With {@code faceoff.limits.enabled} off every request is admitted.
 *
 * <p>Netflix's concurrency-limits (Gradient2, Vegas) was considered: its limiters adapt a concurrency limit so
 * that latency stays near the unloaded latency, and their queue ({@code LifoBlockingLimiter}) is bounded by a
 * count and a fixed timeout. Here the concurrency is fixed (one worker per core, CPU-bound work) and what must
 * adapt is how long a request may wait relative to its own deadline, decided before its body is read; no
 * limiter there predicts that wait, so the small estimator of {@link ServiceTime} stays.
 */
@Component
public final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    private final boolean enabled;
    private final boolean parallelImages;
    private final WorkerQueue queue;
    private final MemoryBudget memory;
    private final FaceoffMetrics metrics;
    /**
     * The threads that run on spare workers ({@link #onSpareWorker}), in the log context of the request they work
     * for; as many as spare workers (no queue), kept a minute when idle. Not Spring Boot's task executor: its
     * threads stop at a core size and queue the rest, and it serves other work too.
     */
    private final ThreadPoolTaskExecutor helpers = new ThreadPoolTaskExecutor();

    @Autowired
    Admission(LimitsProperties limits, FaceoffMetrics metrics,
              @Value("${server.tomcat.threads.max:200}") int threads) {
        this(limits, metrics, threads, System::nanoTime);
    }

    /** With {@code clock} for the service times and the deadlines (nanoseconds, as {@link System#nanoTime}). */
    Admission(LimitsProperties limits, FaceoffMetrics metrics, int threads, LongSupplier clock) {
        this(limits, metrics, threads, clock, () -> { });
    }

    /**
     * And {@code queued}, run on a request's thread as it starts waiting for a worker (counted in
     * {@code faceoff.admission.waiting}, every worker busy): a test's happens-before for "it is in the queue".
     */
    Admission(LimitsProperties limits, FaceoffMetrics metrics, int threads, LongSupplier clock, Runnable queued) {
        this.enabled = limits.enabled();
        this.parallelImages = limits.parallelImages();
        this.queue = new WorkerQueue(limits, threads, metrics, clock, queued);
        this.memory = new MemoryBudget(limits, metrics, queue::retryAfterSeconds);
        this.metrics = metrics;
        helpers.setCorePoolSize(0);
        helpers.setQueueCapacity(0);
        helpers.setThreadNamePrefix("faceoff-prepare-");
        helpers.setDaemon(true);
        helpers.setTaskDecorator(new LogContextDecorator());
        helpers.setWaitForTasksToCompleteOnShutdown(true);   // shut down lets the tasks running finish
        helpers.initialize();
        log.info("admission: {} workers, a request waits while its predicted wait is within {} of its deadline ({} ms)"
                        + " and {} wait at most, memory budget {} MB{}", queue.workers(), limits.queueShare(),
                limits.deadline().toMillis(), queue.queue(), memory.budget() >> 20,
                enabled ? "" : " (disabled: every request is admitted)");
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

    /** A share of the memory budget, returned by {@link #close()}. */
    public interface Reservation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The decision, before the body is read ({@link WorkerQueue#arrive}): refuses (503 {@code overloaded}) a
     * request that could not wait for a worker, and otherwise promises it a place, held while its body is read;
     * empty with admission off. {@link AdmissionFilter} asks, so under overload a refusal costs no parsing, and a
     * request let in is not refused later for the others let in beside it (measured: refusals after the body was
     * read cost goodput in an open-loop overload).
     */
    Optional<Place> arrive(Deadline deadline) {
        return enabled ? Optional.of(queue.arrive(deadline)) : Optional.empty();
    }

    /**
     * Takes a worker ({@link WorkerQueue#enter}): a request with a {@code place} ({@link #arrive}) is refused only
     * when its predicted wait leaves no time for its own work; one without is held to {@code queue-share}.
     */
    public Permit enter(Deadline deadline, Optional<Place> place) {
        return enabled ? queue.enter(deadline, place) : queue.unbounded();
    }

    /** {@link #enter(Deadline, Optional)} for a request that took no place. */
    public Permit enter(Deadline deadline) {
        return enter(deadline, Optional.empty());
    }

    /** Reserves {@code bytes} of the memory budget for a request that already holds {@code held} of it. */
    Reservation reserve(long bytes, long held) {
        return enabled ? memory.reserve(bytes, held) : () -> { };
    }

    /**
     * Reserves {@code bytes}, the memory a request's decoded pixels will take while its images are prepared (costed
     * from their headers by {@code face.FacePipeline.workingBytes}), for a request that already holds {@code held}
     * of the budget.
     */
    public Reservation reserveDecoded(long bytes, long held) {
        return enabled ? memory.reserve(bytes, held) : () -> { };
    }

    /**
     * Runs {@code task} on a helper thread holding a spare worker ({@link WorkerQueue#spare()}), in the caller's log
     * context (its X-Request-Id), while the caller goes on with its own worker; the spare worker goes back when the
     * task ends. Empty, and nothing run, when no worker is spare, admission is off or
     * {@code faceoff.limits.parallel-images} is off.
     */
    public <T> Optional<Future<T>> onSpareWorker(Callable<T> task) {
        Optional<Permit> spare = enabled && parallelImages ? queue.spare() : Optional.empty();
        if (spare.isEmpty()) {
            return Optional.empty();
        }
        Permit worker = spare.get();
        try {
            return Optional.of(helpers.submit(() -> {
                try (worker) {
                    return task.call();
                }
            }));
        } catch (RuntimeException e) {   // rejected (shutting down): the worker goes back
            worker.close();
            throw e;
        }
    }

    /** Counts a request that ran past its deadline. */
    void expired() {
        metrics.admission("expired", "deadline");
    }

    @PreDestroy
    void stopHelpers() {
        helpers.shutdown();
    }
}
