package dev.faceoff.experiment;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.stereotype.Component;

/**
 * This instance's traffic per experiment and variant, for the report: assignments, completed verifications,
 * matches, and windows of recent latencies and similarities; per shadow model its comparisons, agreements
 * and drops. Keys are experiments, variants and models from the configuration only (bounded).
 */
@Component
final class ExperimentStats {

    /** How many recent values the quantiles are computed over. */
    static final int WINDOW = 4096;

    private final Map<String, VariantCounts> variants = new ConcurrentHashMap<>();
    private final Map<String, ShadowCounts> shadows = new ConcurrentHashMap<>();
    private final SampleWindow handoffMicros = new SampleWindow(WINDOW);

    /** Counts of one variant. */
    static final class VariantCounts {
        final LongAdder sticky = new LongAdder();
        final LongAdder weighted = new LongAdder();
        final LongAdder completed = new LongAdder();
        final LongAdder matches = new LongAdder();
        final SampleWindow latencyMillis = new SampleWindow(WINDOW);
        final SampleWindow similarity = new SampleWindow(WINDOW);

        long assigned() {
            return sticky.sum() + weighted.sum();
        }
    }

    /** Counts of one shadow model on one variant's traffic. */
    static final class ShadowCounts {
        final LongAdder comparisons = new LongAdder();
        final LongAdder agreements = new LongAdder();
        final LongAdder matches = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final SampleWindow similarity = new SampleWindow(WINDOW);
        final SampleWindow millis = new SampleWindow(WINDOW);
    }

    void assigned(String experiment, String variant, Assignment.How how) {
        VariantCounts counts = variant(experiment, variant);
        (how == Assignment.How.STICKY ? counts.sticky : counts.weighted).increment();
    }

    void completed(String experiment, String variant, long nanos, double similarity, boolean match) {
        VariantCounts counts = variant(experiment, variant);
        counts.completed.increment();
        if (match) {
            counts.matches.increment();
        }
        counts.latencyMillis.add(nanos / 1e6);
        counts.similarity.add(similarity);
    }

    void shadowCompared(String experiment, String variant, String shadowModel, double similarity, boolean match,
                        boolean agree, long nanos) {
        ShadowCounts counts = shadow(experiment, variant, shadowModel);
        counts.comparisons.increment();
        if (agree) {
            counts.agreements.increment();
        }
        if (match) {
            counts.matches.increment();
        }
        counts.similarity.add(similarity);
        counts.millis.add(nanos / 1e6);
    }

    void shadowDropped(String experiment, String variant, String shadowModel) {
        shadow(experiment, variant, shadowModel).dropped.increment();
    }

    void handoff(long nanos) {
        handoffMicros.add(nanos / 1e3);
    }

    VariantCounts variant(String experiment, String variant) {
        return variants.computeIfAbsent(experiment + '\0' + variant, k -> new VariantCounts());
    }

    ShadowCounts shadow(String experiment, String variant, String shadowModel) {
        return shadows.computeIfAbsent(experiment + '\0' + variant + '\0' + shadowModel, k -> new ShadowCounts());
    }

    /** Recent shadow hand-off times (queueing one comparison), in microseconds. */
    double[] handoffMicros() {
        return handoffMicros.snapshot();
    }
}
