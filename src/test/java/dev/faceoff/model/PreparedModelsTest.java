package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.SharedData;

/**
 * models/tools/prepare_onnx.py changes no output: the served landmark and embedding models (near-zero
 * weights flushed, embedder batch made dynamic) against the vendor's original files, and a batch of two
 * equals two single runs.
 */
class PreparedModelsTest {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void embedderOutputsAreUnchangedAndBatchesMatchSingleRuns(@TempDir Path dir) throws Exception {
        Path served = SharedData.pretrainedModels().resolve("mobilefacenet-faceplugin/model.onnx");
        Path original = VendorModels.extract("fr_feature.onnx", dir);
        float[] a = GoldenOutputs.input(0, 112);
        float[] b = GoldenOutputs.input(1, 112);
        try (var before = session(original); var after = session(served)) {
            float[][] single = {run(before, a, 1, 3, 112)[0], run(before, b, 1, 3, 112)[0]};
            float[] both = new float[a.length * 2];
            System.arraycopy(a, 0, both, 0, a.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            float[][] batch = run(after, both, 2, 3, 112);
            assertThat(maxDiff(single[0], batch[0])).isLessThanOrEqualTo(1e-4);
            assertThat(maxDiff(single[1], batch[1])).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void landmarkOutputsAreUnchanged(@TempDir Path dir) throws Exception {
        Path served = SharedData.pretrainedModels().resolve("landmarks-68/model.onnx");
        Path original = VendorModels.extract("fr_landmark.onnx", dir);
        float[] grey = new float[64 * 64];
        float[] wave = GoldenOutputs.input(2, 64);
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (wave[i] + 1) / 2;   // the landmark model takes p / 256 in [0, 1)
        }
        try (var before = session(original); var after = session(served)) {
            assertThat(maxDiff(run(before, grey, 1, 1, 64)[0], run(after, grey, 1, 1, 64)[0])).isLessThanOrEqualTo(1e-5);
        }
    }

    static OrtSession session(Path file) throws Exception {
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return ENV.createSession(file.toString(), options);
        }
    }

    static float[][] run(OrtSession session, float[] x, int batch, int channels, int size) throws Exception {
        try (var tensor = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[]{batch, channels, size, size});
             var result = session.run(Map.of("input", tensor))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
