package dev.faceoff.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.faceoff.SharedData;

/**
 * The model stores tests run faceoff on, as properties ({@code key=value}): the repository's {@code models/}
 * ({@link #properties(Path)} of {@link SharedData#models()}), and a real model store for A/B tests: the
 * detector, the landmark model, the pretrained embedding model and copies of it under other names and losses
 * (same weights, same calibrated thresholds: real models that always agree). Skips or fails like
 * {@link SharedData}. {@link EndToEnd} applies either to a Spring test; tests that start faceoff themselves
 * pass the same properties as arguments.
 */
public final class ModelStores {

    /** The copies: name → loss label. */
    public static final Map<String, String> COPIES = Map.of(
            "copy-arcface", "arcface", "copy-cosface", "cosface", "copy-softmax", "softmax");
    public static final String PRETRAINED = "mobilefacenet-faceplugin";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ModelStores() {
    }

    private static Path shared;

    /** One store for the whole test run (one JVM), so Spring's context cache can share contexts. */
    public static synchronized Path shared() throws IOException {
        if (shared == null) {
            Path dir = Files.createTempDirectory("faceoff-ab-models");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            shared = abStore(dir);
        }
        return shared;
    }

    private static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind
        }
    }

    /** Builds the store under {@code dir} (once: an existing store is reused). */
    public static synchronized Path abStore(Path dir) throws IOException {
        Path models = SharedData.pretrainedModels();
        if (Files.isDirectory(dir.resolve("copy-softmax"))) {
            return dir;
        }
        for (String name : List.of("detector-yunet", "detector-rfb320", "landmarks-68", PRETRAINED)) {
            copy(models.resolve(name), dir.resolve(name));
        }
        for (var copy : COPIES.entrySet()) {
            Path folder = dir.resolve(copy.getKey());
            copy(models.resolve(PRETRAINED), folder);
            ObjectNode manifest = (ObjectNode) JSON.readTree(folder.resolve("model.json").toFile());
            manifest.put("name", copy.getKey());
            manifest.put("loss", copy.getValue());
            manifest.put("backbone", "copy of " + PRETRAINED + " for A/B tests (same weights)");
            JSON.writeValue(folder.resolve("model.json").toFile(), manifest);
        }
        return dir;
    }

    /**
     * A store that identifies, built under {@code dir}: the detectors, the landmark model, the pretrained embedder and
     * the embedding models {@code others} of the repository's store. The pretrained embedder's impostor tail is its
     * model.json's own; a model.json calibrated before the tail existed gets its calibrated verification thresholds as
     * the tail (the same calibration's shallowest points of it).
     */
    public static Path identifying(Path dir, String... others) throws IOException {
        Path models = SharedData.models();
        var names = new ArrayList<>(List.of("detector-yunet", "detector-rfb320", "landmarks-68", PRETRAINED));
        names.addAll(List.of(others));
        for (String name : names) {
            copy(models.resolve(name), dir.resolve(name));
        }
        Path manifest = dir.resolve(PRETRAINED).resolve("model.json");
        ObjectNode root = (ObjectNode) JSON.readTree(manifest.toFile());
        if (!root.has("identification")) {
            ObjectNode identification = root.putObject("identification");
            identification.put("dataset", "lfw");
            var tail = identification.putArray("tail");
            root.get("thresholds").properties().forEach(e -> tail.addObject()
                    .put("far", Double.parseDouble(e.getKey())).put("cosine", e.getValue().get("cosine").asDouble()));
            JSON.writeValue(manifest.toFile(), root);
        }
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("model.json"), to.resolve("model.json"));
        Files.copy(from.resolve("model.onnx"), to.resolve("model.onnx"));
    }

    /**
     * The store {@code dir} opened on the CPU (every test runs the models on ONNX Runtime's CPU provider), and a
     * gallery of its own: a new temporary folder each time, so that faceoff processes and contexts running at once
     * never share an H2 file (H2 locks it).
     */
    public static List<String> properties(Path dir) {
        return List.of("faceoff.models.dir=" + dir, "faceoff.runtime.provider=cpu", "faceoff.gallery.path=" + gallery());
    }

    /** A new, empty gallery folder, deleted when this JVM exits. */
    public static Path gallery() {
        try {
            Path folder = Files.createTempDirectory("faceoff-gallery");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder)));
            return folder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The "losses" experiment on the copies: arcface 50 / cosface 50, sticky on X-Subject-Id, shadow
     * copy-softmax; the default experiment; CPU; admin key {@code test-admin-key}.
     */
    public static List<String> abProperties(Path store) {
        var p = new ArrayList<>(properties(store));
        p.add("faceoff.experiments.default-experiment=losses");
        p.add("faceoff.security.admin-key=test-admin-key");
        p.add("faceoff.experiments.definitions.losses.sticky-key=header:X-Subject-Id");
        p.add("faceoff.experiments.definitions.losses.variants.arcface.model=copy-arcface");
        p.add("faceoff.experiments.definitions.losses.variants.arcface.weight=50");
        p.add("faceoff.experiments.definitions.losses.variants.cosface.model=copy-cosface");
        p.add("faceoff.experiments.definitions.losses.variants.cosface.weight=50");
        p.add("faceoff.experiments.definitions.losses.shadow=copy-softmax");
        return p;
    }
}
