package dev.faceoff.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * process.memory.rss: the resident memory of the whole process, read from /proc/self/status. The JVM's
 * meters miss the native memory that matters here — ONNX Runtime's arenas and OpenCV's pixel buffers —
 * so a leak of either (an unreleased Mat) shows only in this number. NaN where /proc is absent.
 */
@Component
final class ProcessMemoryMetrics implements MeterBinder {

    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("process.memory.rss", () -> kilobytes("VmRSS:") * 1024)
                .description("resident set size of the process (heap, native libraries, ONNX Runtime and OpenCV buffers)")
                .baseUnit("bytes").register(registry);
    }

    static double kilobytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    return parse(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** "VmRSS:\t  123456 kB" → 123456. */
    static double parse(String line) {
        String[] parts = line.trim().split("\\s+");
        return Double.parseDouble(parts[1]);
    }
}
