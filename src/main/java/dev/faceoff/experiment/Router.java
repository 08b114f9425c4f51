package dev.faceoff.experiment;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * Chooses the embedding model for a request: an explicit model overrides; else the default experiment (when
 * active) assigns a variant, by a hash of its sticky key or a weighted random pick; else the default model.
 */
@Component
public final class Router {

    private final ModelRepository models;
    private final Experiments experiments;
    private final ExperimentStats stats;

    Router(ModelRepository models, Experiments experiments, ExperimentStats stats) {
        this.models = models;
        this.experiments = experiments;
        this.stats = stats;
    }

    /**
     * @param requestedModel the request's {@code model} field, or null
     * @param keys the request's X- headers and fields, where an experiment's sticky key may be
     */
    public Assignment assign(String requestedModel, RequestKeys keys) {
        Optional<Assignment> override = override(requestedModel);
        if (override.isPresent()) {
            return override.get();
        }
        Optional<Experiment> experiment = experiments.routing();
        if (experiment.isEmpty()) {
            return defaultModel();
        }
        Experiment e = experiment.get();
        Experiment.Route route = e.route(keys);
        stats.assigned(e.name(), route.variant(), route.how());
        return new Assignment(e.name(), route.variant(), route.model(), route.how());
    }

    /**
     * The named model, or the default model; never an experiment. For embeddings: a client that stores
     * them must get vectors of one model, which a random variant would break.
     */
    public Assignment assignWithoutExperiment(String requestedModel) {
        return override(requestedModel).orElseGet(this::defaultModel);
    }

    /**
     * Every embedding model routing may choose for a request naming none, by name: the default model, then the default
     * experiment's variants and its shadows (what a gallery enrols every face with, so that any route finds templates).
     */
    public List<String> choosable() {
        var names = new LinkedHashSet<String>();
        names.add(models.defaultEmbedding().name());
        experiments.defaultExperiment().ifPresent(e -> {
            e.variants().forEach(v -> names.add(e.model(v).name()));
            e.shadows().forEach(m -> names.add(m.name()));
        });
        return List.copyOf(names);
    }

    private Optional<Assignment> override(String requestedModel) {
        if (requestedModel == null || requestedModel.isBlank()) {
            return Optional.empty();
        }
        var model = models.embedding(requestedModel).orElseThrow(() -> new FaceoffException(
                ErrorCode.UNKNOWN_MODEL, "no embedding model '" + requestedModel + "'; see GET /v1/models"));
        return Optional.of(new Assignment(Assignment.NONE, Assignment.NONE, model, Assignment.How.OVERRIDE));
    }

    private Assignment defaultModel() {
        return new Assignment(Assignment.NONE, Assignment.NONE, models.defaultEmbedding(), Assignment.How.DEFAULT);
    }
}
