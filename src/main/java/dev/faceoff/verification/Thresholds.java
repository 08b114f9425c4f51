package dev.faceoff.verification;

import java.util.Map;

import dev.faceoff.model.ModelManifest;
import dev.faceoff.system.ErrorCode;
import dev.faceoff.system.FaceoffException;

/** Picks a model's calibrated threshold for a requested false-accept rate. Pure. */
final class Thresholds {

    private Thresholds() {
    }

    /** The threshold calibrated at {@code far}, or {@code invalid_request} naming the FARs the model holds. */
    static ModelManifest.Threshold at(ModelManifest manifest, double far) {
        for (Map.Entry<Double, ModelManifest.Threshold> entry : manifest.thresholdsByFar().entrySet()) {
            if (Math.abs(entry.getKey() - far) <= 1e-9 * Math.max(far, 1e-12)) {
                return entry.getValue();
            }
        }
        throw new FaceoffException(ErrorCode.INVALID_REQUEST, "model " + manifest.name()
                + " has no threshold calibrated at far=" + far + "; available: " + manifest.thresholds().keySet());
    }
}
