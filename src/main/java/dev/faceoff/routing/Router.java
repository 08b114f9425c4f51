package dev.faceoff.routing;

import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.system.ErrorCode;
import dev.faceoff.system.FaceoffException;

/** Chooses the embedding model for a request: an explicit model overrides, else the default model. */
@Component
public final class Router {

    private final ModelRepository models;

    Router(ModelRepository models) {
        this.models = models;
    }

    /**
     * @param requestedModel the request's {@code model} field, or null
     * @param stickyKey the request's sticky key (e.g. header {@code X-Subject-Id}), or null
     */
    public Assignment assign(String requestedModel, RequestKeys stickyKey) {
        if (requestedModel != null && !requestedModel.isBlank()) {
            var model = models.embedding(requestedModel).orElseThrow(() -> new FaceoffException(
                    ErrorCode.UNKNOWN_MODEL, "no embedding model '" + requestedModel + "'; see GET /v1/models"));
            return new Assignment(Assignment.NONE, Assignment.NONE, model, Assignment.How.OVERRIDE);
        }
        return new Assignment(Assignment.NONE, Assignment.NONE, models.defaultEmbedding(), Assignment.How.DEFAULT);
    }
}
