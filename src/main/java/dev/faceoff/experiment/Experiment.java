package dev.faceoff.experiment;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.faceoff.model.LoadedModel;

/**
 * One live experiment: its variants and their current weights (changeable at run time), its sticky key
 * and shadow models, and the history of weight changes. Thread-safe: weights are swapped as one
 * immutable array.
 */
final class Experiment {

    static final int HISTORY = 100;

    private final String name;
    private final boolean active;
    private final Optional<StickyKey> stickyKey;
    private final List<String> variants;
    private final Map<String, LoadedModel> models;
    private final List<LoadedModel> shadows;
    private volatile double[] weights;
    private final Deque<WeightChange> history = new ArrayDeque<>();

    Experiment(String name, boolean active, Optional<StickyKey> stickyKey, Map<String, LoadedModel> models,
               Map<String, Double> weights, List<LoadedModel> shadows) {
        this.name = name;
        this.active = active;
        this.stickyKey = stickyKey;
        this.variants = List.copyOf(models.keySet());
        this.models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        this.shadows = List.copyOf(shadows);
        this.weights = variants.stream().mapToDouble(weights::get).toArray();
    }

    /** A routed request: the variant and how it was chosen. */
    record Route(String variant, LoadedModel model, Assignment.How how) {
    }

    /** A change of weights: when, by whom ({@code key <name>}), from what to what. */
    record WeightChange(Instant at, String by, Map<String, Double> from, Map<String, Double> to) {
    }

    Route route(RequestKeys keys) {
        double[] current = weights;
        Optional<String> key = stickyKey.flatMap(k -> k.in(keys));
        int index = key.map(k -> VariantPicker.pick(current, VariantPicker.bucket(name, k)))
                .orElseGet(() -> VariantPicker.pick(current, ThreadLocalRandom.current().nextDouble()));
        String variant = variants.get(index);
        return new Route(variant, models.get(variant), key.isPresent() ? Assignment.How.STICKY : Assignment.How.WEIGHTED);
    }

    /**
     * Replaces the weights of the named variants (the others keep theirs).
     *
     * @throws IllegalArgumentException naming an unknown variant, a negative or non-finite weight, or a
     *                                  total that is not positive
     */
    synchronized WeightChange changeWeights(Map<String, Double> changes, String by) {
        var unknown = new ArrayList<>(changes.keySet());
        unknown.removeAll(variants);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("experiment " + name + " has no variant " + unknown + "; variants: " + variants);
        }
        double[] next = weights.clone();
        double total = 0;
        for (int i = 0; i < variants.size(); i++) {
            Double w = changes.get(variants.get(i));
            if (w != null) {
                if (w.isNaN() || w.isInfinite() || w < 0) {
                    throw new IllegalArgumentException("weight of " + variants.get(i) + " must be a number >= 0: " + w);
                }
                next[i] = w;
            }
            total += next[i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the weights of experiment " + name + " must add up to more than 0");
        }
        var change = new WeightChange(Instant.now(), by, weights(weights), weights(next));
        weights = next;
        history.addLast(change);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
        return change;
    }

    /** Takes weights changed at another replica (SharedWeights); unknown variants are ignored, missing ones keep theirs. */
    synchronized void adopt(Map<String, Double> shared, WeightChange change) {
        double[] next = weights.clone();
        for (int i = 0; i < variants.size(); i++) {
            Double w = shared.get(variants.get(i));
            if (w != null && w >= 0 && !w.isInfinite()) {
                next[i] = w;
            }
        }
        weights = next;
        history.addLast(change);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    private Map<String, Double> weights(double[] values) {
        var map = new LinkedHashMap<String, Double>();
        for (int i = 0; i < variants.size(); i++) {
            map.put(variants.get(i), values[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    String name() {
        return name;
    }

    boolean active() {
        return active;
    }

    Optional<StickyKey> stickyKey() {
        return stickyKey;
    }

    List<String> variants() {
        return variants;
    }

    LoadedModel model(String variant) {
        return models.get(variant);
    }

    List<LoadedModel> shadows() {
        return shadows;
    }

    /** Current weights by variant, in configured order. */
    Map<String, Double> weights() {
        return weights(weights);
    }

    synchronized List<WeightChange> history() {
        return List.copyOf(history);
    }
}
