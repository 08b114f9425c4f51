package dev.faceoff;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT close the application context before any JVM shutdown hook runs.
 *
 * <p>ONNX Runtime's {@code OrtEnvironment} registers a shutdown hook of its own that frees the native
 * environment, and the JVM runs all shutdown hooks at once: with Spring's hook beside it, the environment
 * was freed while requests were still inside {@code OrtSession.run} (SIGSEGV, exit 134). Here the signal
 * closes the context first — readiness goes to REFUSING_TRAFFIC, the web server stops accepting and lets
 * in-flight requests finish, the sessions close after the last run ({@code ModelRepository}) — and only
 * then {@code System.exit} runs the hooks, ONNX Runtime's among them, on an environment nothing uses.
 * With {@code faceoff.shutdown.readiness-delay} readiness goes DOWN that long before the context closes, while
 * requests are still served, so that a load balancer checking readiness stops sending before the socket closes.
 */
final class OrderedShutdown {

    private static final Logger log = LoggerFactory.getLogger(OrderedShutdown.class);

    private final AtomicReference<ConfigurableApplicationContext> context = new AtomicReference<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * Installs the handlers and starts the application. Where a handler cannot be installed (the JVM
     * reserves the signal, e.g. under {@code -Xrs}), Spring's own shutdown hook is kept instead.
     *
     * @param start starts the context, told whether to register Spring's own shutdown hook
     */
    static ConfigurableApplicationContext start(Function<Boolean, ConfigurableApplicationContext> start) {
        var shutdown = new OrderedShutdown();
        boolean installed = shutdown.handle("TERM") & shutdown.handle("INT");
        ConfigurableApplicationContext started = start.apply(!installed);
        shutdown.context.set(started);
        return started;
    }

    private boolean handle(String name) {
        try {
            Signal.handle(new Signal(name), this::onSignal);
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("cannot handle SIG{} ({}); shutdown falls back to the JVM's hooks", name, e.getMessage());
            return false;
        }
    }

    private void onSignal(Signal signal) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        var thread = new Thread(() -> {
            try {
                ConfigurableApplicationContext c = context.get();
                if (c != null) {
                    drainDelay(c);
                    c.close();
                }
            } catch (RuntimeException | InterruptedException e) {
                log.error("closing the application failed", e);
            } finally {
                Runtime.getRuntime().exit(128 + signal.getNumber());
            }
        }, "faceoff-shutdown");
        thread.setDaemon(false);
        thread.start();
    }

    /**
     * Readiness DOWN first, for {@code faceoff.shutdown.readiness-delay}, while requests are still accepted and
     * served: a load balancer health-checking readiness takes the instance out before its socket closes.
     */
    private static void drainDelay(ConfigurableApplicationContext c) throws InterruptedException {
        Duration delay = c.getBean(ShutdownProperties.class).readinessDelay();
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        AvailabilityChangeEvent.publish(c, ReadinessState.REFUSING_TRAFFIC);
        log.info("shutting down: readiness DOWN, still serving for {} ms (faceoff.shutdown.readiness-delay)", delay.toMillis());
        Thread.sleep(delay.toMillis());
    }
}
