package dev.faceoff.verification;

import java.util.List;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoadException;

/** Start-up checks that need configuration beyond the model store itself. */
public final class ModelLoadCheck {

    private ModelLoadCheck() {
    }

    /** Every served embedding model must hold a threshold calibrated at the default FAR. */
    public static void requireThresholds(List<LoadedModel> embeddings, double far) {
        for (LoadedModel model : embeddings) {
            if (model.manifest().thresholdAt(far).isEmpty()) {
                throw new ModelLoadException(model.directory().resolve("model.json") + ": no threshold calibrated at "
                        + "faceoff.decision.far=" + far + " (has " + model.manifest().thresholds().keySet()
                        + "); run: java -jar target/faceoff.jar evaluate --models " + model.name() + " --calibrate");
            }
        }
    }
}
