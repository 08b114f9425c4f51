package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.faceoff.SharedData;
import dev.faceoff.model.RuntimeProperties.Provider;

/** Start-up checks on the real model files: a missing, corrupt or mismatching model stops start-up. */
@ExtendWith(OutputCaptureExtension.class)
class ModelStoreTest {

    static Path models;

    @BeforeAll
    static void models() {
        models = SharedData.pretrainedModels();
    }

    static OnnxRuntime cpu() {
        return new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
    }

    static Path copy(Path dir, String name) throws Exception {
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        Files.copy(models.resolve(name).resolve("model.json"), target.resolve("model.json"));
        Files.copy(models.resolve(name).resolve("model.onnx"), target.resolve("model.onnx"));
        return target;
    }

    @Test
    void theRealStoreLoadsAndMatchesItsManifests() {
        var props = new ModelProperties(models, "detector-rfb320", "landmarks-68", "mobilefacenet-faceplugin", List.of(), List.of());
        var loaded = new ModelLoader(cpu()).loadStore(props);
        assertThat(loaded).containsKeys("detector-rfb320", "landmarks-68", "mobilefacenet-faceplugin");
        assertThat(loaded.get("mobilefacenet-faceplugin").dynamicBatch()).isTrue();
        loaded.values().forEach(m -> assertThat(m.provider()).isEqualTo("cpu"));
    }

    @Test
    void includeAndExcludeGlobsChooseTheEmbeddingModelsLoaded() {
        var props = new ModelProperties(models, "detector-rfb320", "landmarks-68", "mobilefacenet-faceplugin",
                List.of("mobilefacenet-*", "contrastive-*"), List.of("*-int8"));
        assertThat(props.loads("contrastive-mfn64-aug")).isTrue();
        assertThat(props.loads("contrastive-mfn64-aug-int8")).isFalse();
        assertThat(props.loads("arcface-mfn64")).isFalse();
        var loaded = new ModelLoader(cpu()).loadStore(props);
        // detectors and landmark models are not filtered: the pipeline needs them
        assertThat(loaded).containsKeys("detector-rfb320", "landmarks-68", "mobilefacenet-faceplugin",
                "contrastive-mfn64", "contrastive-mfn64-aug").doesNotContainKeys("contrastive-mfn64-aug-int8",
                "arcface-mfn64", "softmax-mfn64");
    }

    @Test
    void eachStoreFolderNotLoadedIsLoggedWithWhy(@TempDir Path dir, CapturedOutput output) throws Exception {
        copy(dir, "detector-yunet");
        copy(dir, "landmarks-68");
        copy(dir, "mobilefacenet-faceplugin");
        Path copy = copy(dir, "arcface-mfn64");
        Files.createDirectories(dir.resolve("leftover"));
        Files.writeString(dir.resolve("leftover").resolve("model.onnx"), "a file once copied here");
        Files.createDirectories(dir.resolve(ModelLoader.STAGING_PREFIX + "byo-1234"));
        Files.createDirectories(dir.resolve("tools"));
        var props = new ModelProperties(dir, "detector-yunet", "landmarks-68", "mobilefacenet-faceplugin", List.of(),
                List.of("arcface-*"));
        var loaded = new ModelLoader(cpu()).loadStore(props);
        assertThat(loaded).containsOnlyKeys("detector-yunet", "landmarks-68", "mobilefacenet-faceplugin");
        loaded.values().forEach(m -> ModelLoader.closeQuietly(m.session()));
        assertThat(output.getOut())
                .contains("model store: " + dir.resolve("leftover") + " not loaded: it holds an .onnx file but no model.json")
                .contains("model store: " + dir.resolve(ModelLoader.STAGING_PREFIX + "byo-1234")
                        + " not loaded: an import that did not finish")
                .contains("model store: " + dir.resolve("tools") + " not loaded: no model.json")
                .contains("model store: " + copy + " not loaded: embedding model 'arcface-mfn64' is left out");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) throws Exception {
        Path folder = copy(dir, "landmarks-68");
        Files.delete(folder.resolve("model.onnx"));
        var manifest = ModelLoader.readManifest(folder.resolve("model.json"));
        assertThatThrownBy(() -> new ModelLoader(cpu()).load(folder, manifest))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining(folder.resolve("model.onnx").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void aCorruptFileFailsItsSha256(@TempDir Path dir) throws Exception {
        Path folder = copy(dir, "landmarks-68");
        byte[] bytes = Files.readAllBytes(folder.resolve("model.onnx"));
        Files.write(folder.resolve("model.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var manifest = ModelLoader.readManifest(folder.resolve("model.json"));
        assertThatThrownBy(() -> new ModelLoader(cpu()).load(folder, manifest))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("sha256").hasMessageContaining("corrupt");
    }

    @Test
    void aManifestThatDoesNotDescribeTheSessionIsRefusedWithTheMismatch(@TempDir Path dir) throws Exception {
        Path folder = copy(dir, "mobilefacenet-faceplugin");
        Path json = folder.resolve("model.json");
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        var root = (tools.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(json));
        ((tools.jackson.databind.node.ObjectNode) root.get("outputs").get(0)).put("dim", 128);
        ((tools.jackson.databind.node.ObjectNode) root.get("input")).put("name", "data");
        Files.writeString(json, mapper.writeValueAsString(root));
        var manifest = ModelLoader.readManifest(json);
        assertThatThrownBy(() -> new ModelLoader(cpu()).load(folder, manifest))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(json.toString())
                .hasMessageContaining("input 'data' not in model")
                .hasMessageContaining("dim 128");
    }

    @Test
    void autoFallsBackToCpuWithOneWarnLineAndCudaRefuses(CapturedOutput output) {
        var auto = new OnnxRuntime(new RuntimeProperties(Provider.AUTO, 0, 0, 1, false, true));
        assertThat(auto.requested()).isEqualTo(Provider.AUTO);
        assertThat(output.getOut()).containsOnlyOnce("CUDA unavailable, running every model on CPU");
        // no NVIDIA device on this machine: asking for CUDA stops start-up
        org.junit.jupiter.api.Assumptions.assumeTrue(GpuProbe.absentReason() != null, "a GPU is present");
        assertThatThrownBy(() -> new OnnxRuntime(new RuntimeProperties(Provider.CUDA, 0, 0, 1, false, true)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("provider=cuda");
    }
}
