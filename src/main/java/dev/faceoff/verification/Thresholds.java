package dev.faceoff.verification;

import dev.faceoff.model.ModelManifest;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/** Picks a model's calibrated threshold for a requested false-accept rate. Pure. */
final class Thresholds {

    private Thresholds() {
    }

    /** The threshold calibrated at {@code far}, or {@code invalid_request} naming the FARs the model holds. */
    static ModelManifest.Threshold at(ModelManifest manifest, double far) {
        return manifest.thresholdAt(far).orElseThrow(() -> new FaceoffException(ErrorCode.INVALID_REQUEST,
                "model " + manifest.name() + " has no threshold calibrated at far=" + far + "; available: " + manifest.thresholds().keySet()));
    }
}
