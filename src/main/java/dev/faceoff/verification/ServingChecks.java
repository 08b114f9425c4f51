package dev.faceoff.verification;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.verification.DecisionProperties;

/** Checks that only matter when serving (jobs such as evaluate run on uncalibrated models). */
@Component
@ConditionalOnWebApplication
final class ServingChecks {

    ServingChecks(ModelRepository models, DecisionProperties decision) {
        ModelLoadCheck.requireThresholds(models.embeddings(), decision.far());
    }
}
