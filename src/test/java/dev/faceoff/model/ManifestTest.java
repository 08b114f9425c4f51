package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.model.RuntimeProperties.Provider;

class ManifestTest {

    static final String JSON = """
            {"name": "arcface-mfn64", "version": 2, "task": "embedding", "loss": "arcface",
             "lossParams": {"s": 32.0, "m": 0.5}, "file": "model.onnx", "sha256": "ab",
             "input": {"name": "input", "shape": [-1, 3, 112, 112], "layout": "NCHW", "color": "RGB",
                       "mean": 127.5, "std": 128.0},
             "outputs": [{"name": "embedding", "dim": 128}], "alignment": "arcface-112-5pt",
             "thresholds": {"1e-3": {"cosine": 0.41, "dataset": "lfw", "pairs": 29000000},
                            "1e-2": {"cosine": 0.30, "dataset": "lfw", "pairs": 29000000}}}
            """;

    @Test
    void parsesTheContractAndOrdersThresholdsByFar(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), JSON);
        ModelManifest m = ModelLoader.readManifest(dir.resolve("model.json"));
        assertThat(m.name()).isEqualTo("arcface-mfn64");
        assertThat(m.task()).isEqualTo(ModelManifest.Task.EMBEDDING);
        assertThat(m.lossParams()).containsEntry("m", 0.5);
        assertThat(m.input().color()).isEqualTo(ModelManifest.Color.RGB);
        assertThat(m.input().height()).isEqualTo(112);
        assertThat(m.thresholdsByFar().firstKey()).isEqualTo(1e-3);
        assertThat(m.thresholdsByFar().get(1e-2).cosine()).isEqualTo(0.30);
        assertThat(m.outputs()).hasSize(1);
    }

    @Test
    void aManifestWithoutLossSaysUnknown(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), JSON.replace("\"loss\": \"arcface\",", ""));
        assertThat(ModelLoader.readManifest(dir.resolve("model.json")).loss()).isEqualTo("unknown");
    }

    @Test
    void unreadableJsonNamesTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), "{not json");
        assertThatThrownBy(() -> ModelLoader.readManifest(dir.resolve("model.json")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.json");
    }

    @Test
    void validatorAcceptsAMatchingSessionAndListsEveryMismatch(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), JSON);
        ModelManifest m = ModelLoader.readManifest(dir.resolve("model.json"));
        Map<String, long[]> inputs = Map.of("input", new long[]{-1, 3, 112, 112});
        Map<String, long[]> outputs = Map.of("embedding", new long[]{-1, 128});
        assertThat(ManifestValidator.problems(m, inputs, outputs)).isEmpty();

        var wrong = new LinkedHashMap<String, long[]>();
        wrong.put("data", new long[]{1, 3, 112, 112});
        assertThat(ManifestValidator.problems(m, wrong, Map.of("embedding", new long[]{-1, 512})))
                .anySatisfy(p -> assertThat(p).contains("input 'input' not in model").contains("[data]"))
                .anySatisfy(p -> assertThat(p).contains("dim 128").contains("512"));
        assertThat(ManifestValidator.problems(m, Map.of("input", new long[]{1, 3, 112, 112}), outputs))
                .singleElement().asString().contains("shape [-1, 3, 112, 112]");
        Files.writeString(dir.resolve("model.json"), JSON.replace("arcface-112-5pt", "sphereface-112x96"));
        assertThat(ManifestValidator.problems(ModelLoader.readManifest(dir.resolve("model.json")), inputs, outputs))
                .singleElement().asString().contains("alignment 'sphereface-112x96'");
    }

    @Test
    void anUnknownOrMistypedKeyStopsNamingTheFileAndTheKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        Files.writeString(file, JSON.replace("\"color\"", "\"colour\""));
        assertThatThrownBy(() -> ModelLoader.readManifest(file)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unknown key 'input.colour'");
        Files.writeString(file, JSON.replace("\"alignment\"", "\"aligment\""));
        assertThatThrownBy(() -> ModelLoader.readManifest(file)).hasMessageContaining("unknown key 'aligment'");
        Files.writeString(file, JSON.replace("\"dim\": 128", "\"dim\": 128, \"normalised\": true"));
        assertThatThrownBy(() -> ModelLoader.readManifest(file)).hasMessageContaining("unknown key 'outputs[0].normalised'");
        Files.writeString(file, JSON.replace("\"layout\": \"NCHW\"", "\"layout\": \"CHW\""));
        assertThatThrownBy(() -> ModelLoader.readManifest(file)).hasMessageContaining("CHW");
    }

    /** Every model.json in the store reads strictly (a key the record lacks would stop start-up). */
    @Test
    void everyManifestInTheStoreReadsStrictly() throws Exception {
        try (var folders = Files.list(Path.of("models"))) {
            var manifests = folders.map(f -> f.resolve("model.json")).filter(Files::isRegularFile).toList();
            assertThat(manifests).hasSizeGreaterThan(10);
            manifests.forEach(ModelLoader::readManifest);
        }
    }

    @Test
    void meanAndStdAreOneNumberOrOnePerChannelAndNhwcIsALayout(@TempDir Path dir) throws Exception {
        String imagenet = JSON.replace("\"shape\": [-1, 3, 112, 112], \"layout\": \"NCHW\"",
                        "\"shape\": [1, 112, 96, 3], \"layout\": \"NHWC\"")
                .replace("\"mean\": 127.5, \"std\": 128.0", "\"mean\": [123.675, 116.28, 103.53], \"std\": [58.395, 57.12, 57.375]");
        Files.writeString(dir.resolve("model.json"), imagenet);
        ModelManifest m = ModelLoader.readManifest(dir.resolve("model.json"));
        assertThat(m.input().layout()).isEqualTo(ModelManifest.Layout.NHWC);
        assertThat(m.input().channels()).isEqualTo(3);
        assertThat(m.input().height()).isEqualTo(112);
        assertThat(m.input().width()).isEqualTo(96);
        assertThat(m.input().shape(4)).containsExactly(4, 112, 96, 3);
        assertThat(m.input().mean(2)).isEqualTo(103.53);
        assertThat(m.input().std(0)).isEqualTo(58.395);
        Map<String, long[]> outputs = Map.of("embedding", new long[]{1, 128});
        assertThat(ManifestValidator.problems(m, Map.of("input", new long[]{1, 112, 96, 3}), outputs)).isEmpty();

        Files.writeString(dir.resolve("model.json"), imagenet.replace("\"layout\": \"NHWC\"", "\"layout\": \"NCHW\""));
        assertThat(ManifestValidator.problems(ModelLoader.readManifest(dir.resolve("model.json")),
                Map.of("input", new long[]{1, 112, 96, 3}), outputs)).singleElement().asString()
                .contains("has 112 channel(s)").contains("NCHW or NHWC");
        Files.writeString(dir.resolve("model.json"), imagenet.replace("[58.395, 57.12, 57.375]", "[58.395, 57.12]"));
        assertThat(ManifestValidator.problems(ModelLoader.readManifest(dir.resolve("model.json")),
                Map.of("input", new long[]{1, 112, 96, 3}), outputs)).singleElement().asString()
                .contains("one per channel (3)");
    }

    @Test
    void shapesMatchOnlyWithTheSameDynamicAxes() {
        assertThat(ManifestValidator.shapesMatch(java.util.List.of(-1L, 3L), new long[]{-1, 3})).isTrue();
        assertThat(ManifestValidator.shapesMatch(java.util.List.of(1L, 3L), new long[]{-1, 3})).isFalse();
        assertThat(ManifestValidator.shapesMatch(java.util.List.of(1L, 3L), new long[]{1, 3, 1})).isFalse();
    }

    @Test
    void providerDecision() {
        assertThat(ProviderDecision.decide(Provider.CPU, true, null)).isEqualTo(new ProviderDecision(false, null));
        assertThat(ProviderDecision.decide(Provider.AUTO, true, null).tryCuda()).isTrue();
        assertThat(ProviderDecision.decide(Provider.AUTO, true, "no NVIDIA GPU").reason()).isEqualTo("no NVIDIA GPU");
        assertThat(ProviderDecision.decide(Provider.CUDA, false, null).reason()).contains("cpu' Maven flavour");
    }

    @Test
    void commandLineGuardRefusesWhatWouldCrashOnnxRuntime() {
        CommandLineGuard.check(3000);
        assertThatThrownBy(() -> CommandLineGuard.check(5000)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("java @argfile");
    }
}
