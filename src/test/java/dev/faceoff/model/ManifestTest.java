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
                            "1e-2": {"cosine": 0.30, "dataset": "lfw", "pairs": 29000000}},
             "somethingNew": {"kept": true}}
            """;

    @Test
    void parsesTheContractAndOrdersThresholdsByFar(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), JSON);
        ModelManifest m = ModelRepository.readManifest(dir.resolve("model.json"));
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
        assertThat(ModelRepository.readManifest(dir.resolve("model.json")).loss()).isEqualTo("unknown");
    }

    @Test
    void unreadableJsonNamesTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), "{not json");
        assertThatThrownBy(() -> ModelRepository.readManifest(dir.resolve("model.json")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("model.json");
    }

    @Test
    void validatorAcceptsAMatchingSessionAndListsEveryMismatch(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), JSON);
        ModelManifest m = ModelRepository.readManifest(dir.resolve("model.json"));
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
        assertThat(ManifestValidator.problems(ModelRepository.readManifest(dir.resolve("model.json")), inputs, outputs))
                .singleElement().asString().contains("alignment 'sphereface-112x96'");
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
