package dev.faceoff.system;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.OnnxRuntime;

/** /actuator/health "models": each model with its task, loss and the provider it runs on. */
@Component("models")
final class ModelsHealthIndicator implements HealthIndicator {

    private final ModelRepository models;
    private final OnnxRuntime runtime;

    ModelsHealthIndicator(ModelRepository models, OnnxRuntime runtime) {
        this.models = models;
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        var details = new LinkedHashMap<String, Object>();
        models.all().forEach(m -> details.put(m.name(), Map.of(
                "task", m.manifest().task().label(), "loss", m.manifest().loss(), "provider", m.provider())));
        return Health.up().withDetail("requestedProvider", runtime.requested().name().toLowerCase(java.util.Locale.ROOT))
                .withDetail("models", details).build();
    }
}
