package dev.faceoff.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;


import dev.faceoff.model.LoadedModel;
import dev.faceoff.feedback.FeedbackStore.VariantModel;
import dev.faceoff.feedback.FeedbackStore;
import dev.faceoff.feedback.Confusion;

/**
 * GET /v1/experiments/{name}: per variant its traffic (this instance), its feedback (every replica's with
 * the Redis store) with FAR and FRR and their Wilson 95 % intervals, and z-tests of each variant against
 * the first. Built from plain numbers; rates are null where nothing was counted yet.
 */
record ExperimentReport(String name, boolean active, boolean isDefault, String stickyKey, Map<String, Double> weights,
                        List<Experiment.WeightChange> weightHistory, String weightsScope, String trafficScope,
                        String feedbackScope,
                        int window, long requests, List<VariantReport> variants, List<Comparison> comparisons,
                        Distribution shadowHandoffUs) {

    static final double ALPHA = 0.05;

    record VariantReport(String name, String model, String loss, double weight, Double targetShare, Traffic traffic,
                         List<Shadow> shadow, Feedback feedback) {
    }

    /** This instance's traffic of a variant since start-up; quantiles over the latest {@code window} values. */
    record Traffic(long assigned, long sticky, long weighted, Double share, long verified, Double matchRate,
                   Distribution latencyMs, Distribution similarity) {
    }

    /** Quantiles; null when there are no values. */
    record Distribution(Double p05, Double p25, Double p50, Double p75, Double p95, Double p99) {
        static Distribution of(double[] values) {
            double[] q = Quantiles.of(values, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);
            return new Distribution(round(q[0]), round(q[1]), round(q[2]), round(q[3]), round(q[4]), round(q[5]));
        }
    }

    record Shadow(String model, String loss, long comparisons, long agreements, Double agreement, Double matchRate,
                  long dropped, Distribution similarity, Distribution latencyMs) {
    }

    record Feedback(long labelled, long trueAccepts, long falseAccepts, long trueRejects, long falseRejects,
                    long impostorPairs, long genuinePairs, Rate far, Rate frr) {
    }

    /** A rate with its Wilson 95 % interval ([0, 1] when nothing was counted). */
    record Rate(Double value, double low, double high, long n) {
        static Rate of(long errors, long n) {
            Proportions.Interval ci = Proportions.wilson(errors, n, Proportions.Z95);
            return new Rate(n == 0 ? null : round((double) errors / n), round(ci.low()), round(ci.high()), n);
        }
    }

    /** A variant against the baseline (the first variant) on FAR and on FRR. */
    record Comparison(String variant, String baseline, Test far, Test frr) {
    }

    /**
     * @param moreLabelledPairsNeeded labelled pairs still needed per variant (impostor pairs for FAR, genuine
     *                                pairs for FRR) for the observed difference to be significant at 5 % with
     *                                80 % power; 0 once that many are in; null when the rates are equal or a
     *                                variant has none yet
     */
    record Test(Double difference, double z, double pValue, boolean significant, Long labelledPairsNeeded,
                Long moreLabelledPairsNeeded) {

        static Test of(long x1, long n1, long x2, long n2) {
            Proportions.ZTest t = Proportions.twoProportion(x2, n2, x1, n1);
            Double difference = n1 == 0 || n2 == 0 ? null : round((double) x2 / n2 - (double) x1 / n1);
            Long needed = null;
            Long more = null;
            if (difference != null) {
                long perGroup = Proportions.sampleSizePerGroup((double) x1 / n1, (double) x2 / n2);
                if (perGroup > 0) {
                    needed = perGroup;
                    more = Math.max(0, perGroup - Math.min(n1, n2));
                }
            }
            return new Test(difference, round(t.z()), round(t.p()), t.significant(ALPHA), needed, more);
        }
    }

    static ExperimentReport of(Experiment e, boolean isDefault, ExperimentStats stats, FeedbackStore store,
                               String weightsScope) {
        Map<String, Double> weights = e.weights();
        double totalWeight = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        long requests = e.variants().stream().mapToLong(v -> stats.variant(e.name(), v).assigned()).sum();
        Map<VariantModel, Confusion> counts = store.counts(e.name());
        var variants = new ArrayList<VariantReport>();
        var confusions = new ArrayList<Confusion>();
        for (String v : e.variants()) {
            LoadedModel model = e.model(v);
            ExperimentStats.VariantCounts c = stats.variant(e.name(), v);
            long verified = c.completed.sum();
            var traffic = new Traffic(c.assigned(), c.sticky.sum(), c.weighted.sum(),
                    requests == 0 ? null : round((double) c.assigned() / requests), verified,
                    verified == 0 ? null : round((double) c.matches.sum() / verified),
                    Distribution.of(c.latencyMillis.snapshot()), Distribution.of(c.similarity.snapshot()));
            var shadows = e.shadows().stream().map(s -> shadow(stats.shadow(e.name(), v, s.name()), s)).toList();
            Confusion confusion = counts.getOrDefault(new VariantModel(v, model.name()), Confusion.NONE);
            confusions.add(confusion);
            variants.add(new VariantReport(v, model.name(), model.manifest().loss(), weights.get(v),
                    totalWeight > 0 ? round(weights.get(v) / totalWeight) : null, traffic, shadows, feedback(confusion)));
        }
        var comparisons = new ArrayList<Comparison>();
        Confusion base = confusions.get(0);
        for (int i = 1; i < confusions.size(); i++) {
            Confusion other = confusions.get(i);
            comparisons.add(new Comparison(e.variants().get(i), e.variants().get(0),
                    Test.of(base.falseAccepts(), base.impostorPairs(), other.falseAccepts(), other.impostorPairs()),
                    Test.of(base.falseRejects(), base.genuinePairs(), other.falseRejects(), other.genuinePairs())));
        }
        return new ExperimentReport(e.name(), e.active(), isDefault, e.stickyKey().map(StickyKey::toString).orElse(null),
                weights, e.history(), weightsScope, "instance", store.scope(), ExperimentStats.WINDOW, requests, variants, comparisons,
                Distribution.of(stats.handoffMicros()));
    }

    private static Shadow shadow(ExperimentStats.ShadowCounts s, LoadedModel model) {
        long n = s.comparisons.sum();
        return new Shadow(model.name(), model.manifest().loss(), n, s.agreements.sum(),
                n == 0 ? null : round((double) s.agreements.sum() / n), n == 0 ? null : round((double) s.matches.sum() / n),
                s.dropped.sum(), Distribution.of(s.similarity.snapshot()), Distribution.of(s.millis.snapshot()));
    }

    private static Feedback feedback(Confusion c) {
        return new Feedback(c.total(), c.trueAccepts(), c.falseAccepts(), c.trueRejects(), c.falseRejects(),
                c.impostorPairs(), c.genuinePairs(), Rate.of(c.falseAccepts(), c.impostorPairs()),
                Rate.of(c.falseRejects(), c.genuinePairs()));
    }

    private static Double round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1e6) / 1e6;
    }
}
