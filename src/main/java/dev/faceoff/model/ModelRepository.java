package dev.faceoff.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.model.ModelManifest.Task;

/**
 * The model store, like a Triton repository: one folder per model with {@code model.onnx} and
 * {@code model.json}. At start-up every manifest is read, the file's sha256 checked, a session opened and
 * the manifest validated against the session; any problem stops start-up with the file and the mismatch.
 * Sessions are closed only at shutdown.
 */
@Component
public final class ModelRepository {

    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);
    /** Strict: an unknown key in a model.json is an error, not a silently ignored typo. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** How long shutdown waits for running inference before closing the sessions anyway. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, LoadedModel> models;
    private final ModelProperties properties;
    private final SessionGate gate;

    ModelRepository(ModelProperties properties, OnnxRuntime runtime, SessionGate gate) {
        this.properties = properties;
        this.gate = gate;
        this.models = loadAll(properties, runtime);
        require(properties.detector(), Task.DETECTION);
        if (!detector().manifest().givesLandmarks()) {
            require(properties.landmarks(), Task.LANDMARKS);
        }
        require(properties.defaultEmbedding(), Task.EMBEDDING);
    }

    /**
     * Loads every model folder under {@code dir} (of the embedding models, those {@code include}/{@code exclude} let
     * through: {@link ModelProperties#loads}). The
     * manifests are read first, in folder order; the sessions are then opened on one thread per core (opening
     * is most of start-up's model time). On any failure the sessions already open are closed and the first
     * failure in folder order is thrown.
     */
    static Map<String, LoadedModel> loadAll(ModelProperties properties, OnnxRuntime runtime) {
        Path dir = properties.dir().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model store " + dir + " does not exist (faceoff.models.dir); "
                    + "run models/fetch-pretrained.sh");
        }
        var wanted = new LinkedHashMap<String, Path>();
        var manifests = new LinkedHashMap<String, ModelManifest>();
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : folders.sorted().toList()) {
                if (!Files.isRegularFile(folder.resolve("model.json"))) {
                    continue;
                }
                ModelManifest manifest = readManifest(folder.resolve("model.json"));
                if (manifest.task() == Task.EMBEDDING && !properties.loads(manifest.name())) {
                    continue;
                }
                if (wanted.putIfAbsent(manifest.name(), folder) != null) {
                    throw new ModelLoadException("two model folders declare the name '" + manifest.name() + "'");
                }
                manifests.put(manifest.name(), manifest);
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot list model store " + dir + ": " + e.getMessage(), e);
        }
        int threads = Math.max(1, Math.min(wanted.size(), Runtime.getRuntime().availableProcessors()));
        var count = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                task -> new Thread(task, "model-load-" + count.incrementAndGet()));
        try {
            var pending = new LinkedHashMap<String, Future<LoadedModel>>();
            wanted.forEach((name, folder) -> pending.put(name, pool.submit(() -> load(folder, manifests.get(name), runtime))));
            var loaded = new LinkedHashMap<String, LoadedModel>();
            RuntimeException failure = null;
            for (var entry : pending.entrySet()) {
                try {
                    loaded.put(entry.getKey(), entry.getValue().get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException re ? re
                                : new ModelLoadException(wanted.get(entry.getKey()) + ": " + e.getCause(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure != null ? failure : new ModelLoadException("interrupted while loading models", e);
                }
            }
            if (failure != null) {
                loaded.values().forEach(m -> closeQuietly(m.session()));
                throw failure;
            }
            return loaded;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads a model.json strictly: an unknown or mistyped key stops with the file and the key's path. */
    public static ModelManifest readManifest(Path file) {
        try {
            return JSON.readValue(Files.readAllBytes(file), ModelManifest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ModelLoadException(file + ": unknown key '" + keyPath(e) + "'; known keys there: "
                    + e.getKnownPropertyIds(), e);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(file + ": unreadable manifest: " + e.getMessage(), e);
        }
    }

    /** {@code input.colour} for an unknown key inside {@code input}. */
    private static String keyPath(UnrecognizedPropertyException e) {
        var path = new StringBuilder();
        for (var reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? e.getPropertyName() : path.toString();
    }

    /** Opens and validates one model folder. */
    public static LoadedModel load(Path folder, ModelManifest manifest, OnnxRuntime runtime) {
        Path file = folder.resolve(manifest.file());
        Path json = folder.resolve("model.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(json + ": model file " + file + " is missing"
                    + " (pretrained models are fetched by models/fetch-pretrained.sh)");
        }
        String actualSha = sha256(file);
        if (manifest.sha256() == null || !manifest.sha256().equalsIgnoreCase(actualSha)) {
            throw new ModelLoadException(file + ": sha256 " + actualSha + " does not match " + json
                    + " (" + manifest.sha256() + "): corrupt or replaced file");
        }
        OrtSession session;
        String provider;
        try {
            var opened = runtime.open(file);
            session = opened.session();
            provider = opened.provider();
        } catch (OrtException | RuntimeException e) {
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
        try {
            Signature signature = Signature.of(session);
            List<String> problems = ManifestValidator.problems(manifest, signature.inputs(), signature.outputs());
            if (!problems.isEmpty()) {
                throw new ModelLoadException(json + " does not match " + file + ": " + String.join("; ", problems));
            }
            String fixed = signature.fixedBatchOutputs(manifest.input().name());
            if (!fixed.isEmpty()) {
                // said once here instead of by ONNX Runtime on every batch ("VerifyOutputSizes ... Expected shape")
                log.warn("model {}: output {} declares a fixed batch of 1 but its input's batch is dynamic; batches run "
                        + "(the declared shape is wrong, not the outputs) and ONNX Runtime's per-run warning about it is "
                        + "muted for this model", manifest.name(), fixed);
                closeQuietly(session);
                session = runtime.open(file, true).session();
            }
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException(file + ": cannot read its inputs and outputs: " + e.getMessage(), e);
        }
        log.info("model {} v{} ({}, loss {}) loaded on {}", manifest.name(), manifest.version(),
                manifest.task().label(), manifest.loss(), provider);
        return new LoadedModel(manifest, session, provider, folder);
    }

    /**
     * An ONNX file's inputs and outputs as name → shape (-1 for a dynamic axis), in the file's order.
     */
    public record Signature(Map<String, long[]> inputs, Map<String, long[]> outputs) {

        public static Signature of(OrtSession session) throws OrtException {
            return new Signature(shapes(session.getInputInfo()), shapes(session.getOutputInfo()));
        }

        /** Outputs whose first axis is fixed at 1 while {@code input}'s is dynamic, comma-separated; empty if none. */
        String fixedBatchOutputs(String input) {
            long[] in = inputs.get(input);
            if (in == null || in.length == 0 || in[0] >= 0) {
                return "";
            }
            return String.join(", ", outputs.entrySet().stream()
                    .filter(e -> e.getValue().length > 0 && e.getValue()[0] == 1).map(Map.Entry::getKey).toList());
        }

        private static Map<String, long[]> shapes(Map<String, NodeInfo> infos) {
            var shapes = new LinkedHashMap<String, long[]>();
            infos.forEach((name, info) -> shapes.put(name,
                    info.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0]));
            return shapes;
        }
    }

    /**
     * A session on an ONNX file that has no manifest yet, for the {@code import} job to read its signature and
     * probe it; the caller closes it.
     */
    public static OrtSession openForImport(Path file, OnnxRuntime runtime) {
        try {
            return runtime.open(file).session();
        } catch (OrtException | RuntimeException e) {
            throw new ModelLoadException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ModelLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
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
        models.values().forEach(m -> closeQuietly(m.session()));
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("closing a session failed: {}", e.getMessage());
        }
    }
}
