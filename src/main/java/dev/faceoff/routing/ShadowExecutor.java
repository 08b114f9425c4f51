package dev.faceoff.routing;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.UnaryOperator;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;

/**
 * Where shadow work runs: a bounded queue in front of one daemon worker thread, so shadow models use at
 * most one core and never hold up a request. {@link #offer} never blocks: a full queue refuses the task.
 */
@Component
class ShadowExecutor {

    private static final Logger log = LoggerFactory.getLogger(ShadowExecutor.class);

    private final BlockingQueue<Runnable> queue;
    private final UnaryOperator<Runnable> wrap;
    private final Thread worker;

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
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.wrap = wrap;
        this.worker = new Thread(this::work, "faceoff-shadow");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues a task; false (at once) when the queue is full. */
    boolean offer(Runnable task) {
        return queue.offer(wrap.apply(task));
    }

    int queued() {
        return queue.size();
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("shadow comparison failed: {}", e.toString());
            }
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        queue.clear();
        worker.interrupt();
        worker.join(10_000);
    }
}
