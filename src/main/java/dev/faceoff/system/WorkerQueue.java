package dev.faceoff.system;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The {@code max-in-flight} workers and the queue for them. The queue is bounded by time, not by a count: a
 * request waits when its predicted wait fits within {@code queue-share} of the time left to its deadline, and is
 * refused at once otherwise (reason {@code queue_time}). The predicted wait is (its place in the queue + 1) × the
 * service time per request ÷ the workers, the service time a moving estimate of the time a worker is held per
 * request ({@link ServiceTime}). A waiter gives up (reason {@code queue_wait}) once what is left of its deadline no
 * longer holds one service time. {@code queue}, a count, stays as a safety net (reason {@code queue_full}): by
 * default half of Tomcat's threads, so threads stay free to refuse and to answer probes and metrics. Every refusal
 * is a 503 {@code overloaded} with a {@code Retry-After} of the predicted wait ({@link #retryAfterSeconds()}).
 */
final class WorkerQueue {

    private final int workers;
    private final int queue;
    private final double queueShare;
    private final Semaphore free;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Requests past {@link #arrive} whose bodies are being read: places in the queue already promised. */
    private final AtomicInteger arriving = new AtomicInteger();
    private final AtomicInteger working = new AtomicInteger();
    private final AtomicReference<ServiceTime> serviceTime = new AtomicReference<>(ServiceTime.NONE);
    private final LongSupplier clock;
    private final Runnable queued;
    private final FaceoffMetrics metrics;

    /**
     * {@code threads}: Tomcat's, for the default {@code queue}; {@code clock}: nanoseconds, as {@link System#nanoTime};
     * {@code queued}: run on a request's thread once it waits for a worker ({@link Admission}).
     */
    WorkerQueue(LimitsProperties limits, int threads, FaceoffMetrics metrics, LongSupplier clock, Runnable queued) {
        this.workers = limits.maxInFlight() > 0 ? limits.maxInFlight() : Runtime.getRuntime().availableProcessors();
        this.queue = limits.queue() > 0 ? limits.queue() : Math.max(1, threads / 2);
        this.queueShare = limits.queueShare();
        this.free = new Semaphore(workers, true);
        this.clock = clock;
        this.queued = queued;
        this.metrics = metrics;
        metrics.admissionQueueGauges(working, waiting, workers, queue);
        metrics.admissionWaitGauges(() -> serviceNanos() / 1e9, () -> predictedWaitNanos() / 1e9,
                queueShare * limits.deadline().toNanos() / 1e9);
    }

    /**
     * Refuses a request that could not wait for a worker — every worker busy and its predicted wait, behind those
     * waiting and those whose bodies are still arriving, beyond {@code queue-share} of what is left to its
     * deadline, or the queue at its safety net — and otherwise promises it a place, held until it asks for a
     * worker ({@link #enter}) or closes it.
     */
    Admission.Place arrive(Deadline deadline) {
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

    /**
     * Takes a worker, waiting for one in turn, and giving up once what is left of the deadline no longer holds one
     * service time. A request with a {@code place} ({@link #arrive}) is refused now only when its predicted wait
     * leaves no time for its own work before the deadline; one without is held to {@code queue-share} as at arrival.
     */
    Admission.Permit enter(Deadline deadline, Optional<Admission.Place> place) {
        int ahead = waiting.getAndIncrement();
        place.ifPresent(Admission.Place::close);   // from arriving to waiting
        try {
            if (free.tryAcquire(0, TimeUnit.NANOSECONDS)) {   // in turn: never ahead of a waiter (a fair semaphore)
                return admitted(free::release);
            }
            if (place.isPresent()) {   // let in at arrival: refused only if it cannot be served before its deadline
                refuseIfLonger(ahead, remainingNanos(deadline) - serviceNanos(), "the time its deadline leaves for its own work");
            } else {
                refuseUnlessItCanWait(ahead, deadline);
            }
            long wait = Math.max(0, remainingNanos(deadline) - serviceNanos());
            queued.run();
            if (!free.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw refuse("queue_wait", "no worker became free within " + TimeUnit.NANOSECONDS.toMillis(wait)
                        + " ms, the time left to the deadline less one service time");
            }
            return admitted(free::release);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refuse("interrupted", "interrupted while waiting for a worker");
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** With admission off: counted and timed as an admission, never waiting for a worker nor refused. */
    Admission.Permit unbounded() {
        return admitted(() -> { });
    }

    /**
     * A second worker for a request that already holds one, only when a worker is idle and no request waits for
     * one: a request's own parallelism never delays another request. Not counted as an admission.
     */
    Optional<Admission.Permit> spare() {
        if (waiting.get() > 0 || !free.tryAcquire()) {
            return Optional.empty();
        }
        working.incrementAndGet();
        return Optional.of(() -> {
            working.decrementAndGet();
            free.release();
        });
    }

    /** Refuses a request with {@code ahead} requests waiting before it unless it may wait ({@link #arrive}). */
    private void refuseUnlessItCanWait(int ahead, Deadline deadline) {
        if (ahead >= queue) {
            throw refuse("queue_full", "all " + workers + " workers are busy and " + ahead + " requests are waiting");
        }
        refuseIfLonger(ahead, queueShare * remainingNanos(deadline), queueShare + " of the time left to the deadline");
    }

    /** Refuses (reason {@code queue_time}) a request whose predicted wait behind {@code ahead} is over {@code allowed}. */
    private void refuseIfLonger(int ahead, double allowedNanos, String allowance) {
        long predicted = predictedWaitNanos(ahead);
        if (predicted > allowedNanos) {
            throw refuse("queue_time", "the wait for one of " + workers + " busy workers, behind " + ahead
                    + " requests, is predicted at " + TimeUnit.NANOSECONDS.toMillis(predicted) + " ms, more than "
                    + Math.round(Math.max(0, allowedNanos) / 1e6) + " ms (" + allowance + ")");
        }
    }

    private FaceoffException refuse(String reason, String detail) {
        metrics.admission("rejected", reason);
        return new FaceoffException(ErrorCode.OVERLOADED, detail + "; retry later", retryAfterSeconds());
    }

    private Admission.Permit admitted(Runnable release) {
        working.incrementAndGet();
        metrics.admission("admitted", "ok");
        long start = clock.getAsLong();
        return () -> {
            long held = clock.getAsLong() - start;
            serviceTime.updateAndGet(estimate -> estimate.after(held));
            working.decrementAndGet();
            release.run();
        };
    }

    private long serviceNanos() {
        return serviceTime.get().nanos();
    }

    /** The predicted wait for a worker behind {@code ahead} waiting requests: (ahead + 1) × service time ÷ workers. */
    long predictedWaitNanos(int ahead) {
        return (ahead + 1L) * serviceNanos() / workers;
    }

    /** The predicted wait of a request arriving now: 0 while a worker is free. */
    long predictedWaitNanos() {
        return free.availablePermits() > 0 ? 0 : predictedWaitNanos(waiting.get() + arriving.get());
    }

    /** Seconds a refused client should wait before it tries again: the predicted wait of a newcomer, at least 1. */
    long retryAfterSeconds() {
        return Math.max(1, (predictedWaitNanos() + 999_999_999L) / 1_000_000_000L);
    }

    /** The time left to {@code deadline} on this queue's clock (Long.MAX_VALUE for none). */
    private long remainingNanos(Deadline deadline) {
        return deadline.atNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : deadline.atNanos() - clock.getAsLong();
    }

    /** Requests waiting for a worker now. */
    int waiting() {
        return waiting.get();
    }

    int workers() {
        return workers;
    }

    int queue() {
        return queue;
    }
}
