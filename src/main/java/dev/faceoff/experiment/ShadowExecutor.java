package dev.faceoff.experiment;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;

/**
 * Where shadow work runs: a bounded queue in front of one daemon worker thread, so shadow models use at
 * most one core and never hold up a request. {@link #offer} never blocks and never wakes the worker (a
 * woken thread can preempt the request's thread on a busy machine: milliseconds, measured); the worker
 * polls instead, every {@link #IDLE_POLL_MS} ms while the queue is empty. A full queue refuses the task.
 */
@Component
class ShadowExecutor {

    static final long IDLE_POLL_MS = 10;
    private static final Logger log = LoggerFactory.getLogger(ShadowExecutor.class);

    private final int capacity;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** Tasks accepted and not yet finished (queued or running); guarded by {@code this} when it reaches 0. */
    private final AtomicInteger unfinished = new AtomicInteger();
    private final UnaryOperator<Runnable> wrap;
    private final Thread worker;
    private volatile boolean running = true;

    @Autowired
    ShadowExecutor(ExperimentProperties properties, ModelRepository sessions) {
        this(properties.shadowQueueCapacity(), UnaryOperator.identity(), sessions);
    }

    /**
     * @param wrap applied to each task as it is queued (tests slow the worker down with it)
     * @param sessions the models whose sessions shadow tasks run: taking them makes Spring stop this
     *                 executor (and wait for its task in flight) before it closes them
     */
    ShadowExecutor(int capacity, UnaryOperator<Runnable> wrap, ModelRepository sessions) {
        this.capacity = capacity;
        this.wrap = wrap;
        this.worker = new Thread(this::work, "faceoff-shadow");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues a task; false (at once) when the queue is full. */
    boolean offer(Runnable task) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        unfinished.incrementAndGet();
        queue.add(wrap.apply(task));
        return true;
    }

    int queued() {
        return size.get();
    }

    /** Returns once every task accepted so far has run (what a test waits for instead of sleeping). */
    synchronized void awaitIdle() throws InterruptedException {
        while (unfinished.get() > 0) {
            wait();
        }
    }

    private void finished() {
        if (unfinished.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void work() {
        while (running) {
            Runnable task = queue.poll();
            if (task == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MS));
                continue;
            }
            size.decrementAndGet();
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("shadow comparison failed: {}", e.toString());
            } finally {
                finished();
            }
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        queue.clear();
        worker.interrupt();
        worker.join(10_000);
    }
}
