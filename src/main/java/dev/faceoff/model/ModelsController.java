package dev.faceoff.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** GET /v1/models: what is served, with tasks, losses, calibrated thresholds and execution providers. */
@RestController
@Tag(name = "models", description = "The models this instance serves")
class ModelsController {

    private final ModelRepository models;
    private final OnnxRuntime runtime;

    ModelsController(ModelRepository models, OnnxRuntime runtime) {
        this.models = models;
        this.runtime = runtime;
    }

    /** One model as listed. */
    record ModelView(String name, int version, String task, String loss, Map<String, Object> lossParams,
                     String backbone, String provider, boolean isDefault, ModelManifest.Input input,
                     boolean testTimeFlip, Integer dim, Map<String, ModelManifest.Threshold> thresholds,
                     Map<String, Object> metrics, ModelManifest.Provenance provenance) {
    }

    record ModelsView(String requestedProvider, String defaultEmbedding, List<ModelView> models) {
    }

    @Operation(summary = "List served models",
            description = "Every loaded model with its task, loss, input contract, thresholds by FAR and provider.")
    @GetMapping(path = "/v1/models", produces = org.springframework.http.MediaType.APPLICATION_JSON_VALUE)
    ModelsView list() {
        String defaultName = models.defaultEmbedding().name();
        var views = models.all().stream().map(m -> {
            ModelManifest x = m.manifest();
            return new ModelView(x.name(), x.version(), x.task().label(), x.loss(), x.lossParams(), x.backbone(),
                    m.provider(), x.name().equals(defaultName), x.input(), x.testTimeFlip(),
                    x.output() == null ? null : x.output().dim(), new LinkedHashMap<>(x.thresholds()), snakeKeys(x.metrics()),
                    x.provenance());
        }).toList();
        return new ModelsView(runtime.requested().name().toLowerCase(java.util.Locale.ROOT), defaultName, views);
    }

    /**
     * A model card's metrics with snake_case keys, nested maps too ({@code tarAtFar1e-3} → {@code tar_at_far1e-3}):
     * the cards keep the training export's camelCase, the API has one naming policy. Pure.
     */
    static Map<String, Object> snakeKeys(Map<String, Object> map) {
        var out = new LinkedHashMap<String, Object>();
        map.forEach((key, value) -> out.put(snake(key), value instanceof Map<?, ?> nested ? snakeKeys(cast(nested)) : value));
        return out;
    }

    static String snake(String key) {
        var out = new StringBuilder(key.length() + 4);
        for (char c : key.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
