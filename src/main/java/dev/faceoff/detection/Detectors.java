package dev.faceoff.detection;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoadException;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.ModelRunner;

/** The detector of {@code faceoff.models.detector}, by its manifest's {@code decoding}. */
@Configuration(proxyBeanMethods = false)
class Detectors {

    @Bean
    FaceDetector faceDetector(ModelRepository models, ModelRunner runner, DetectionProperties properties) {
        LoadedModel model = models.detector();
        return switch (model.manifest().decoding()) {
            case "yunet" -> new YuNetDetector(model, runner, properties);
            case "rfb" -> new RfbDetector(model, runner, properties);
            default -> throw new ModelLoadException(model.directory().resolve("model.json") + ": decoding '"
                    + model.manifest().decoding() + "' is not one faceoff knows (yunet, rfb)");
        };
    }
}
