package dev.faceoff.model;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.common.Digests;
import dev.faceoff.model.ModelManifest.Task;

/**
 * Folder → loaded model, with its checks: the manifest read strictly, the file's sha256, a session opened and the
 * manifest validated against the session's {@link Signature}. A model whose output declares a fixed batch of 1
 * under a dynamic input is warned about once and its session opened with ONNX Runtime's per-run warning muted,
 * wherever it is loaded: the store at start-up, or a file being imported.
 */
@Component
public final class ModelLoader {

    private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);
    /** Strict: an unknown key in a model.json is an error, not a silently ignored typo. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    /** The prefix of an import's folder while it is written; moved to its name only once it loads. */
    public static final String STAGING_PREFIX = ".import-";

    private final OnnxRuntime runtime;
    /** The models whose fixed output batch was said already (an import opens its file, then loads its folder). */
    private final Set<String> toldFixedBatch = ConcurrentHashMap.newKeySet();

    public ModelLoader(OnnxRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Loads every model folder of the store {@code properties.dir()} (of the embedding models, those
     * {@code include}/{@code exclude} let through: {@link ModelProperties#loads}); each folder not loaded is logged
     * with the reason. The manifests are read first, in folder order; the sessions are then opened on one thread
     * per core (opening is most of start-up's model time). On any failure the sessions already open are closed and
     * the first failure in folder order is thrown.
     */
    Map<String, LoadedModel> loadStore(ModelProperties properties) {
        Path dir = properties.dir().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model store " + dir + " does not exist (faceoff.models.dir); "
                    + "run models/fetch-pretrained.sh");
        }
        var wanted = new LinkedHashMap<String, Path>();
        var manifests = new LinkedHashMap<String, ModelManifest>();
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                if (!Files.isRegularFile(folder.resolve("model.json"))) {
                    skipped(folder);
                    continue;
                }
                ModelManifest manifest = readManifest(folder.resolve("model.json"));
                if (manifest.task() == Task.EMBEDDING && !properties.loads(manifest.name())) {
                    log.info("model store: {} not loaded: embedding model '{}' is left out by faceoff.models.include/"
                            + "exclude", folder, manifest.name());
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
            wanted.forEach((name, folder) -> pending.put(name, pool.submit(() -> load(folder, manifests.get(name)))));
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

    /** Says why a store folder without a model.json is not loaded: a warning where it looks like a model. */
    private static void skipped(Path folder) throws IOException {
        String name = folder.getFileName().toString();
        boolean onnx;
        try (Stream<Path> files = Files.list(folder)) {
            onnx = files.anyMatch(f -> f.getFileName().toString().endsWith(".onnx"));
        }
        if (name.startsWith(STAGING_PREFIX)) {
            log.warn("model store: {} not loaded: an import that did not finish (safe to delete)", folder);
        } else if (onnx) {
            log.warn("model store: {} not loaded: it holds an .onnx file but no model.json (import the file: "
                    + "java -jar faceoff.jar import --model FILE --name NAME)", folder);
        } else {
            log.info("model store: {} not loaded: no model.json", folder);
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

    /** Opens and validates the model folder {@code folder} as its model.json describes it. */
    public LoadedModel load(Path folder) {
        return load(folder, readManifest(folder.resolve("model.json")));
    }

    /** Opens and validates one model folder against its (already read) manifest. */
    public LoadedModel load(Path folder, ModelManifest manifest) {
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
        Opened opened = open(file, manifest.name(), signature -> manifest.input().name());
        List<String> problems = ManifestValidator.problems(manifest, opened.signature().inputs(), opened.signature().outputs());
        if (!problems.isEmpty()) {
            opened.close();
            throw new ModelLoadException(json + " does not match " + file + ": " + String.join("; ", problems));
        }
        log.info("model {} v{} ({}, loss {}) loaded on {}", manifest.name(), manifest.version(),
                manifest.task().label(), manifest.loss(), opened.provider());
        return new LoadedModel(manifest, opened.session(), opened.provider(), folder);
    }

    /**
     * A session on an ONNX file that has no manifest yet (the {@code import} job reads its signature and probes it),
     * with the same fixed-batch rule as a loaded model (for its one input); the caller closes it.
     */
    public Opened open(Path file, String name) {
        return open(file, name, signature -> signature.inputs().size() == 1 ? signature.inputs().keySet().iterator().next() : null);
    }

    /** The session, its provider and signature; muted (and said once) when the batch input has a fixed-batch output. */
    private Opened open(Path file, String name, Function<Signature, String> batchInput) {
        OnnxRuntime.OpenedSession first;
        try {
            first = runtime.open(file);
        } catch (OrtException | RuntimeException e) {
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException(file + ": not a model ONNX Runtime can load: " + firstLine(e), e);
        }
        OrtSession session = first.session();
        try {
            Signature signature = Signature.of(session);
            String input = batchInput.apply(signature);
            String fixed = input == null ? "" : signature.fixedBatchOutputs(input);
            if (!fixed.isEmpty()) {
                // said once here instead of by ONNX Runtime on every batch ("VerifyOutputSizes ... Expected shape")
                if (toldFixedBatch.add(name)) {
                    log.warn("model {}: output {} declares a fixed batch of 1 but its input's batch is dynamic; batches "
                            + "run (the declared shape is wrong, not the outputs) and ONNX Runtime's per-run warning about it is "
                            + "muted for this model", name, fixed);
                }
                closeQuietly(session);
                session = runtime.open(file, true).session();
            }
            return new Opened(session, first.provider(), signature);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException(file + ": cannot read its inputs and outputs: " + firstLine(e), e);
        }
    }

    /** A session with no manifest checked against it yet, and what the file says it takes and gives. */
    public record Opened(OrtSession session, String provider, Signature signature) implements AutoCloseable {

        @Override
        public void close() {
            closeQuietly(session);
        }
    }

    public static String sha256(Path file) {
        try (var in = new DigestInputStream(Files.newInputStream(file), Digests.sha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage()).strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    public static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("closing a session failed: {}", e.getMessage());
        }
    }
}
