package dev.faceoff.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.faceoff.SharedData;
import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoader;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.OnnxRuntime;
import dev.faceoff.model.RuntimeProperties;
import dev.faceoff.model.RuntimeProperties.Provider;

/** A trained model whose model.json asks for test-time flip is served with it; one without is not. */
class ServedFlipTest {

    @Test
    void theModelCardDecidesWhetherServingFlips(@TempDir Path dir) throws Exception {
        var runtime = new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
        var runner = new ModelRunner(runtime);
        var embedder = new EmbeddingModel(runner, EmbeddingBatcherTest.off(runner));
        LoadedModel plain = load(dir, false, runtime);
        LoadedModel flipped = load(dir, true, runtime);
        List<AlignedFace> faces = List.of(asymmetricFace());

        float[] served = embedder.embed(flipped, faces).get(0);
        assertThat(served).containsExactly(embedder.embed(flipped, faces, true).get(0));
        assertThat(embedder.embed(plain, faces).get(0)).containsExactly(embedder.embed(plain, faces, false).get(0));
        // and the two ways really differ on a face that is not mirror-symmetric
        assertThat(Vectors.cosine(served, embedder.embed(plain, faces).get(0))).isLessThan(0.9999);
    }

    private static LoadedModel load(Path dir, boolean flip, OnnxRuntime runtime) throws Exception {
        Path source = SharedData.require(SharedData.models().resolve("center-mfn64"), "the trained center-mfn64 model");
        Path folder = Files.createDirectories(dir.resolve(flip ? "flipped" : "plain"));
        Files.copy(source.resolve("model.onnx"), folder.resolve("model.onnx"));
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode card = (ObjectNode) json.readTree(Files.readString(source.resolve("model.json")));
        card.put("testTimeFlip", flip);
        Files.writeString(folder.resolve("model.json"), json.writeValueAsString(card));
        var manifest = ModelLoader.readManifest(folder.resolve("model.json"));
        assertThat(manifest.testTimeFlip()).isEqualTo(flip);
        return new ModelLoader(runtime).load(folder, manifest);
    }

    /** A bright left half and a dark right half: its mirror image is a different picture. */
    private static AlignedFace asymmetricFace() {
        int s = AlignedFace.SIZE;
        byte[] bgr = new byte[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                for (int c = 0; c < 3; c++) {
                    bgr[(y * s + x) * 3 + c] = (byte) (x < s / 2 ? 200 - y : 30 + (x * c) % 50);
                }
            }
        }
        return new AlignedFace(bgr, s);
    }
}
