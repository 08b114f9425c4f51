package dev.faceoff.system;

import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.OnnxRuntime;

/** Publishes faceoff.model.info for every model once the store is loaded. */
@Component
final class ModelInfoMetrics {

    ModelInfoMetrics(ModelRepository models, OnnxRuntime runtime, FaceoffMetrics metrics) {
        String requested = runtime.requested().name().toLowerCase(java.util.Locale.ROOT);
        models.all().forEach(m -> metrics.modelInfo(m.name(), m.manifest().task().label(),
                m.manifest().loss(), m.provider(), requested));
    }
}
