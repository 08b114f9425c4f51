package dev.faceoff.experiment;

import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.NotEmpty;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.feedback.FeedbackStore;
import dev.faceoff.common.Problems;

/**
 * The experiments: list, per-variant report, and weight changes without a restart. Who may change weights is
 * decided before this controller, by {@code security.SecurityConfiguration} (role admin).
 */
@RestController
@Tag(name = "experiments", description = "A/B tests between embedding models: feedback, reports, weights")
@Problems({ErrorCode.UNKNOWN_EXPERIMENT, ErrorCode.STORE_UNAVAILABLE})
class ExperimentsController {

    private static final Logger log = LoggerFactory.getLogger(ExperimentsController.class);

    private final Experiments experiments;
    private final ExperimentStats stats;
    private final FeedbackStore store;
    private final SharedWeights shared;

    ExperimentsController(Experiments experiments, ExperimentStats stats, FeedbackStore store, SharedWeights shared) {
        this.shared = shared;
        this.experiments = experiments;
        this.stats = stats;
        this.store = store;
    }

    record ExperimentsView(String defaultExperiment, List<ExperimentView> experiments) {
    }

    record ExperimentView(String name, boolean active, boolean isDefault, String stickyKey, List<VariantView> variants,
                          List<ModelView> shadow) {
    }

    record VariantView(String name, String model, String loss, double weight, double targetShare) {
    }

    record ModelView(String model, String loss) {
    }

    /** New weights by variant; variants left out keep theirs. */
    record WeightsJson(@Schema(description = "variant → weight (>= 0; the total must be positive)",
            example = "{\"arcface\": 80, \"cosface\": 20}") @NotEmpty Map<String, Double> weights) {
    }

    record WeightsResult(String experiment, Map<String, Double> weights, Experiment.WeightChange change) {
    }

    @Operation(summary = "List experiments", description = "Every configured experiment with its variants, weights "
            + "and shadow models; default_experiment routes requests that name no model.")
    @GetMapping(path = "/v1/experiments", produces = MediaType.APPLICATION_JSON_VALUE)
    ExperimentsView list() {
        String chosen = experiments.defaultExperiment().map(Experiment::name).orElse(null);
        return new ExperimentsView(chosen, experiments.all().stream().map(e -> view(e, e.name().equals(chosen))).toList());
    }

    @Operation(summary = "Report of an experiment", description = "Per variant: share of traffic, requests, latency, "
            + "match rate and similarity quantiles (this instance: traffic_scope=instance), shadow agreement, and FAR/FRR "
            + "from feedback with Wilson 95% intervals (every replica's with the Redis store: feedback_scope=fleet), "
            + "plus two-proportion z-tests of each variant against the first.")
    @GetMapping(path = "/v1/experiments/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
    ExperimentReport report(@PathVariable String name) {
        Experiment e = experiments.require(name);
        boolean isDefault = experiments.defaultExperiment().map(d -> d == e).orElse(false);
        return ExperimentReport.of(e, isDefault, stats, store, shared.scope());
    }

    @Operation(summary = "Change an experiment's weights (admin)", description = "Takes effect at once on this instance "
            + "and is logged and kept in the report's weight_history. Needs an API key with role admin when "
            + "faceoff.security is enabled, else header X-Admin-Key (faceoff.security.admin-key).")
    @Problems({ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.INVALID_REQUEST})
    @PutMapping(path = "/v1/experiments/{name}/weights", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    WeightsResult weights(@PathVariable String name, @RequestBody WeightsJson body, HttpServletRequest http) {
        Experiment e = experiments.require(name);
        if (body.weights() == null || body.weights().isEmpty()) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "field 'weights' must name at least one variant");
        }
        Experiment.WeightChange change;
        try {
            // by: the admin's name (an API key's, or admin-key for X-Admin-Key): the security rules let only an admin in
            change = e.changeWeights(body.weights(), "key " + http.getUserPrincipal().getName());
        } catch (IllegalArgumentException ex) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, ex.getMessage());
        }
        shared.publish(e, change);
        log.info("experiment {}: weights changed by {} from {}: {} -> {} ({})", e.name(), change.by(), http.getRemoteAddr(),
                change.from(), change.to(), "fleet".equals(shared.scope()) ? "shared with every replica" : "this instance");
        return new WeightsResult(e.name(), e.weights(), change);
    }

    private static ExperimentView view(Experiment e, boolean isDefault) {
        Map<String, Double> weights = e.weights();
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        var variants = e.variants().stream().map(v -> {
            LoadedModel m = e.model(v);
            return new VariantView(v, m.name(), m.manifest().loss(), weights.get(v), Math.round(weights.get(v) / total * 1e6) / 1e6);
        }).toList();
        return new ExperimentView(e.name(), e.active(), isDefault, e.stickyKey().map(StickyKey::toString).orElse(null),
                variants, e.shadows().stream().map(s -> new ModelView(s.name(), s.manifest().loss())).toList());
    }
}
