package dev.faceoff.verification;

import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.experiment.Assignment;
import dev.faceoff.experiment.RequestKeys;
import dev.faceoff.experiment.Router;
import dev.faceoff.system.RequestScope;

/**
 * A request's {@link Route}, checked in this order: the face choice, the model ({@link Router}: 404 for an
 * unknown one), its threshold at {@code far} (the default: {@code faceoff.decision.far}, which every served model
 * holds), the quality gate; the request's metrics are tagged with the model from here on.
 */
@Component
final class Routes {

    private final Router router;
    private final DecisionProperties decision;
    private final DetectionProperties detection;

    Routes(Router router, DecisionProperties decision, DetectionProperties detection) {
        this.router = router;
        this.decision = decision;
        this.detection = detection;
    }

    /** The route of a decision (verify, compare): the requested model, else an experiment's variant or the default. */
    Route deciding(String model, RequestKeys keys, Double far, String select, Double minQuality, RequestScope scope) {
        return route(select, () -> router.assign(model, keys), far, minQuality, scope);
    }

    /** The route of an embedding: never an experiment, a client keeping embeddings needs one model's vectors. */
    Route embedding(String model, String select, Double minQuality, RequestScope scope) {
        return route(select, () -> router.assignWithoutExperiment(model), null, minQuality, scope);
    }

    private Route route(String select, Supplier<Assignment> assign, Double far, Double minQuality, RequestScope scope) {
        FaceSelection selection = select == null ? detection.select() : FaceSelection.parse(select);
        Assignment assignment = assign.get();
        double at = far == null ? decision.far() : far;
        ModelManifest.Threshold threshold = Thresholds.at(assignment.model().manifest(), at);
        scope.assigned(Route.variantOf(assignment));
        return new Route(assignment, at, threshold, selection, minQuality(minQuality));
    }

    private double minQuality(Double requested) {
        if (requested == null) {
            return decision.minQuality();
        }
        if (requested < 0 || requested > 1) {
            throw new FaceoffException(ErrorCode.INVALID_REQUEST, "min_quality must be within [0, 1]; got " + requested);
        }
        return requested;
    }
}
