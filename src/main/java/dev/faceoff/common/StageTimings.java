package dev.faceoff.common;

import java.util.EnumMap;
import java.util.Map;

/**
 * Time spent per pipeline stage within one request (both images summed), and how many times each stage ran.
 * Wall-clock time; {@link #cpu()} counts the calling thread's CPU time instead (benchmarks on a shared
 * machine). Not thread-safe.
 */
public final class StageTimings {

    public enum Stage { DECODE, DETECT, LANDMARKS, ALIGN, EMBED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final EnumMap<Stage, Long> nanos = new EnumMap<>(Stage.class);
    private final EnumMap<Stage, Integer> counts = new EnumMap<>(Stage.class);
    private final boolean cpu;

    public StageTimings() {
        this(false);
    }

    private StageTimings(boolean cpu) {
        this.cpu = cpu;
    }

    /** Timings in the CPU time of the thread that starts and stops each clock (ThreadMXBean). */
    public static StageTimings cpu() {
        return new StageTimings(true);
    }

    public void add(Stage stage, long elapsedNanos) {
        nanos.merge(stage, elapsedNanos, Long::sum);
        counts.merge(stage, 1, Integer::sum);
    }

    /** Adds another request part's times and counts (the second image, prepared on another thread). */
    public void addAll(StageTimings other) {
        other.nanos.forEach((stage, ns) -> nanos.merge(stage, ns, Long::sum));
        other.counts.forEach((stage, n) -> counts.merge(stage, n, Integer::sum));
    }

    /** Starts a clock; {@code stop(stage, start)} adds the elapsed time. */
    public long start() {
        return cpu ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : System.nanoTime();
    }

    public void stop(Stage stage, long start) {
        add(stage, start() - start);
    }

    public Map<Stage, Long> nanos() {
        return Map.copyOf(nanos);
    }

    /** How many times each stage was timed (e.g. two decodes of one image). */
    public Map<Stage, Integer> counts() {
        return Map.copyOf(counts);
    }

    /** Milliseconds per stage, rounded to 0.01 ms. */
    public Map<String, Double> millis() {
        var millis = new java.util.LinkedHashMap<String, Double>();
        nanos.forEach((stage, ns) -> millis.put(stage.label(), Math.round(ns / 1e4) / 100.0));
        return millis;
    }
}
