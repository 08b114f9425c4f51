package dev.faceoff.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.faceoff.model.ModelManifest.Task;

/**
 * The loaded model store, like a Triton repository: one folder per model with {@code model.onnx} and
 * {@code model.json}, loaded at start-up by {@link ModelLoader} (any problem stops start-up with the file and the
 * mismatch), and the models' parts (detector, landmarks, default embedding) checked. Sessions are closed only at
 * shutdown, once the running inferences have drained.
 */
@Component
public final class ModelRepository {

    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

    /** How long shutdown waits for running inference before closing the sessions anyway. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, LoadedModel> models;
    private final ModelProperties properties;
    private final SessionGate gate;

    ModelRepository(ModelProperties properties, ModelLoader loader, SessionGate gate) {
        this.properties = properties;
        this.gate = gate;
        this.models = loader.loadStore(properties);
        require(properties.detector(), Task.DETECTION);
        if (!detector().manifest().givesLandmarks()) {
            require(properties.landmarks(), Task.LANDMARKS);
        }
        require(properties.defaultEmbedding(), Task.EMBEDDING);
    }

    private void require(String name, Task task) {
        LoadedModel model = models.get(name);
        if (model == null) {
            throw new ModelLoadException("no model '" + name + "' (" + task.label() + ") in "
                    + properties.dir().toAbsolutePath() + "; found " + models.keySet());
        }
        if (model.manifest().task() != task) {
            throw new ModelLoadException("model '" + name + "' is a " + model.manifest().task().label()
                    + " model, configured as the " + task.label() + " model");
        }
    }

    public LoadedModel detector() {
        return models.get(properties.detector());
    }

    /** The landmark model, or empty when the detector gives the five points itself (YuNet) and none is loaded. */
    public Optional<LoadedModel> landmarks() {
        return Optional.ofNullable(models.get(properties.landmarks())).filter(m -> m.manifest().task() == Task.LANDMARKS);
    }

    /** The configured landmark model's name ({@code faceoff.models.landmarks}), loaded or not. */
    public String landmarksName() {
        return properties.landmarks();
    }

    public LoadedModel defaultEmbedding() {
        return models.get(properties.defaultEmbedding());
    }

    public Optional<LoadedModel> embedding(String name) {
        return Optional.ofNullable(models.get(name)).filter(m -> m.manifest().task() == Task.EMBEDDING);
    }

    public List<LoadedModel> embeddings() {
        return models.values().stream().filter(m -> m.manifest().task() == Task.EMBEDDING).toList();
    }

    public List<LoadedModel> all() {
        return new ArrayList<>(models.values());
    }

    /**
     * At shutdown, after the web server has stopped taking requests: refuse new runs, wait for the running
     * ones, then close the sessions. Left open (the process is exiting) if a run is still going after
     * {@link #DRAIN_TIMEOUT}: freeing a session under a running inference crashes the JVM.
     */
    @PreDestroy
    void close() throws InterruptedException {
        if (!gate.closeAndDrain(DRAIN_TIMEOUT)) {
            log.warn("{} inference run(s) still going after {} s; sessions left open for the exiting process",
                    gate.running(), DRAIN_TIMEOUT.toSeconds());
            return;
        }
        models.values().forEach(m -> ModelLoader.closeQuietly(m.session()));
    }
}
