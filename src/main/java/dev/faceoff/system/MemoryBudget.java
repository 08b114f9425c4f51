package dev.faceoff.system;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The memory budget of the images in flight ({@code faceoff.limits.memory-budget}; by default a quarter of the
 * memory the JVM may use, {@link #memoryLimit()}): the bodies as they are read ({@link AdmissionFilter}) and the
 * decoded pixels their headers announce ({@link Admission#reserveDecoded}). What does not fit is refused at once (reason
 * {@code memory}) with the {@code Retry-After} of the worker queue's predicted wait.
 */
final class MemoryBudget {

    private final long budget;
    private final AtomicLong reserved = new AtomicLong();
    private final FaceoffMetrics metrics;
    private final LongSupplier retryAfterSeconds;

    MemoryBudget(LimitsProperties limits, FaceoffMetrics metrics, LongSupplier retryAfterSeconds) {
        this.budget = limits.memoryBudget().toBytes() > 0 ? limits.memoryBudget().toBytes() : memoryLimit() / 4;
        this.metrics = metrics;
        this.retryAfterSeconds = retryAfterSeconds;
        metrics.admissionMemoryGauges(reserved, budget);
    }

    /**
     * Reserves {@code bytes} for a request that already holds {@code held} of the budget. A request larger than
     * the whole budget is still admitted when no other request holds memory (the image limits bound it), so no
     * valid request is refused forever.
     */
    Admission.Reservation reserve(long bytes, long held) {
        while (true) {
            long now = reserved.get();
            if (now > held && now + bytes > budget) {
                metrics.admission("rejected", "memory");
                throw new FaceoffException(ErrorCode.OVERLOADED, "the images would take " + (bytes >> 20) + " MB; "
                        + (now >> 20) + " MB of the " + (budget >> 20) + " MB budget for images in flight are taken;"
                        + " retry later", retryAfterSeconds.getAsLong());
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return () -> reserved.addAndGet(-bytes);
            }
        }
    }

    long budget() {
        return budget;
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
