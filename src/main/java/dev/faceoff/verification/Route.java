package dev.faceoff.verification;

import dev.faceoff.detection.FaceSelection;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.experiment.Assignment;
import dev.faceoff.system.FaceoffMetrics;

/**
 * How a request is answered ({@link Routes}): the model routing chose ({@code assignment}), its threshold
 * calibrated at {@code far}, which face of an image ({@code selection}) and the quality gate ({@code minQuality}).
 */
record Route(Assignment assignment, double far, ModelManifest.Threshold threshold, FaceSelection selection,
             double minQuality) {

    LoadedModel model() {
        return assignment.model();
    }

    /** The model, loss, experiment and variant as metric tags. */
    FaceoffMetrics.Variant variant() {
        return variantOf(assignment);
    }

    static FaceoffMetrics.Variant variantOf(Assignment a) {
        return new FaceoffMetrics.Variant(a.model().name(), a.model().manifest().loss(), a.experiment(), a.variant());
    }

    VerificationResult.ModelRef modelRef() {
        ModelManifest m = model().manifest();
        return new VerificationResult.ModelRef(m.name(), m.version(), m.loss());
    }

    VerificationResult.RoutingRef routingRef() {
        return new VerificationResult.RoutingRef(assignment.experiment(), assignment.variant(), assignment.how().label());
    }
}
