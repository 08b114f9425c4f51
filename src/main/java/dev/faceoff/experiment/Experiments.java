package dev.faceoff.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The configured experiments, checked against the model store at start-up: every variant and shadow model
 * must be a served embedding model, a shadow must not also be a variant, the default experiment must exist.
 * Any problem stops start-up with every mistake named by its property path.
 */
@Component
final class Experiments {

    private static final Logger log = LoggerFactory.getLogger(Experiments.class);
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";

    private final Map<String, Experiment> byName;
    private final Optional<Experiment> defaultExperiment;

    Experiments(ExperimentProperties properties, ModelRepository models) {
        var problems = new ArrayList<String>();
        var built = new LinkedHashMap<String, Experiment>();
        // sorted by name: the configuration's map order is not reliable across property sources
        new TreeMap<>(properties.definitions()).forEach((name, definition) -> {
            Experiment e = build(name, definition, models, problems);
            if (e != null) {
                built.put(name, e);
            }
        });
        String chosen = properties.defaultExperiment().strip();
        if (!chosen.isEmpty() && !properties.definitions().containsKey(chosen)) {
            problems.add("faceoff.experiments.default-experiment: no experiment '" + chosen + "' (defined: "
                    + new TreeMap<>(properties.definitions()).keySet() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid experiments configuration:\n  - " + String.join("\n  - ", problems));
        }
        this.byName = java.util.Collections.unmodifiableMap(built);
        this.defaultExperiment = chosen.isEmpty() ? Optional.empty() : Optional.of(built.get(chosen));
        built.values().forEach(e -> log.info("experiment {} ({}): variants {} {}, sticky key {}, shadow {}", e.name(),
                e.active() ? "active" : "inactive", e.weights(), e.variants().stream().map(v -> e.model(v).name()).toList(),
                e.stickyKey().map(StickyKey::toString).orElse("none"), e.shadows().stream().map(LoadedModel::name).toList()));
        log.info("default experiment: {}", defaultExperiment.map(Experiment::name).orElse("none (the default model answers)"));
    }

    private static Experiment build(String name, ExperimentProperties.Definition definition, ModelRepository models,
                                    List<String> problems) {
        String at = "faceoff.experiments.definitions." + name;
        int before = problems.size();
        if (!name.matches(NAME) || name.equals(Assignment.NONE)) {
            problems.add(at + ": an experiment name is letters, digits, '_', '-', '.' (and not 'none')");
        }
        Optional<StickyKey> sticky = Optional.empty();
        try {
            sticky = StickyKey.parse(definition.stickyKey());
            if (sticky.isPresent() && sticky.get().source() == StickyKey.Source.HEADER && !sticky.get().name().startsWith("x-")) {
                problems.add(at + ".sticky-key: only X- headers reach the router; got " + definition.stickyKey());
            }
        } catch (IllegalArgumentException e) {
            problems.add(at + ".sticky-key: " + e.getMessage());
        }
        var variantModels = new LinkedHashMap<String, LoadedModel>();
        var weights = new LinkedHashMap<String, Double>();
        if (definition.variants() == null || definition.variants().isEmpty()) {
            problems.add(at + ".variants: an experiment needs at least one variant");
        } else {
            definition.variants().forEach((variant, spec) -> {
                String vat = at + ".variants." + variant;
                if (!variant.matches(NAME) || variant.equals(Assignment.NONE)) {
                    problems.add(vat + ": a variant name is letters, digits, '_', '-', '.' (and not 'none')");
                }
                if (!(spec.weight() > 0) || Double.isInfinite(spec.weight())) {
                    problems.add(vat + ".weight: must be positive, got " + spec.weight());
                }
                embedding(models, spec.model(), vat + ".model", problems).ifPresent(m -> variantModels.put(variant, m));
                weights.put(variant, spec.weight());
            });
        }
        var shadows = new ArrayList<LoadedModel>();
        var seen = new HashSet<String>();
        for (String shadow : definition.shadow()) {
            String sat = at + ".shadow";
            if (!seen.add(shadow)) {
                problems.add(sat + ": '" + shadow + "' is listed twice");
                continue;
            }
            if (definition.variants() != null && definition.variants().values().stream().anyMatch(v -> shadow.equals(v.model()))) {
                problems.add(sat + ": '" + shadow + "' is also a variant's model; a shadow compares another model with the variants");
                continue;
            }
            embedding(models, shadow, sat, problems).ifPresent(shadows::add);
        }
        if (problems.size() > before) {
            return null;
        }
        return new Experiment(name, definition.active(), sticky, variantModels, weights, shadows);
    }

    private static Optional<LoadedModel> embedding(ModelRepository models, String name, String at, List<String> problems) {
        Optional<LoadedModel> model = models.embedding(name);
        if (model.isEmpty()) {
            problems.add(at + ": no embedding model '" + name + "' in the model store (embedding models: "
                    + models.embeddings().stream().map(LoadedModel::name).toList() + ")");
        }
        return model;
    }

    /** The experiment that routes requests naming no model: the default one, when it is active. */
    Optional<Experiment> routing() {
        return defaultExperiment.filter(Experiment::active);
    }

    Optional<Experiment> defaultExperiment() {
        return defaultExperiment;
    }

    Optional<Experiment> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The named experiment, or {@code unknown_experiment}. */
    Experiment require(String name) {
        return find(name).orElseThrow(() -> new FaceoffException(ErrorCode.UNKNOWN_EXPERIMENT,
                "no experiment '" + name + "'; see GET /v1/experiments"));
    }

    List<Experiment> all() {
        return List.copyOf(byName.values());
    }
}
