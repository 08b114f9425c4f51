package dev.faceoff.common;

import java.util.EnumMap;
import java.util.Map;

/** Time spent per pipeline stage within one request (both images summed). Not thread-safe. */
public final class StageTimings {

    public enum Stage { DECODE, DETECT, LANDMARKS, ALIGN, EMBED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final EnumMap<Stage, Long> nanos = new EnumMap<>(Stage.class);

    public void add(Stage stage, long elapsedNanos) {
        nanos.merge(stage, elapsedNanos, Long::sum);
    }

    /** Starts a clock; {@code stop(stage, start)} adds the elapsed time. */
    public long start() {
        return System.nanoTime();
    }

    public void stop(Stage stage, long start) {
        add(stage, System.nanoTime() - start);
    }

    public Map<Stage, Long> nanos() {
        return Map.copyOf(nanos);
    }

    /** Milliseconds per stage, rounded to 0.01 ms. */
    public Map<String, Double> millis() {
        var millis = new java.util.LinkedHashMap<String, Double>();
        nanos.forEach((stage, ns) -> millis.put(stage.label(), Math.round(ns / 1e4) / 100.0));
        return millis;
    }
}
