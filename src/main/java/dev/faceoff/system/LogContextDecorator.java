package dev.faceoff.system;

import java.util.Map;

import org.slf4j.MDC;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs a task in the log context (MDC: its X-Request-Id) of the thread that submitted it, and clears it after:
 * the helper threads of {@link Admission#onSpareWorker} log as the request they work for.
 */
final class LogContextDecorator implements TaskDecorator {

    @Override
    public Runnable decorate(Runnable task) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return () -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            try {
                task.run();
            } finally {
                MDC.clear();
            }
        };
    }
}
