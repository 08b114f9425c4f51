package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import dev.faceoff.SharedData;
import dev.faceoff.model.RuntimeProperties.Provider;

/** Every trained or quantized model in the store (a folder with golden.json) matches its reference outputs. */
class GoldenOutputsTest {

    @TestFactory
    Stream<DynamicTest> everyTrainedModelMatchesPyTorch() throws Exception {
        Path models = SharedData.models();
        var runtime = new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
        List<Path> folders;
        try (Stream<Path> all = Files.list(models)) {
            folders = all.filter(f -> Files.isRegularFile(f.resolve("golden.json"))).sorted().toList();
        }
        return folders.stream().map(folder -> DynamicTest.dynamicTest(folder.getFileName().toString(), () -> {
            // within the file's tolerance: of PyTorch for a trained model, of Python ONNX Runtime on this host's
            // instruction-set family for an INT8 copy (models/tools/quantize.py, models/tools/golden.py)
            double worst = GoldenOutputs.check(folder, runtime);
            System.out.printf(java.util.Locale.ROOT, "golden: %s max |java - reference| %.2e%n", folder.getFileName(), worst);
        }));
    }

    @org.junit.jupiter.api.Test
    void formulaInputsAreTheOnesPythonGenerates() {
        float[] x = GoldenOutputs.input(0, 112);
        assertThat(x[0]).isEqualTo((float) Math.sin(0.37));                              // c=0, h=0, w=0
        assertThat(x[(2 * 112 + 5) * 112 + 7]).isEqualTo((float) Math.sin(0.37 + 0.11 * 5 * 3 + 0.05 * 7));
    }

    @org.junit.jupiter.api.Test
    void theInstructionSetFamilyComesFromTheCpuFlags(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_vnni\n");
        assertThat(GoldenOutputs.instructionSet(cpuinfo)).isEqualTo("vnni");
        Files.writeString(cpuinfo, "flags\t\t: fpu sse2 avx2 avx_vnni\n");
        assertThat(GoldenOutputs.instructionSet(cpuinfo)).isEqualTo("vnni");
        Files.writeString(cpuinfo, "flags\t\t: fpu sse2 avx2 avx512f avx512bw\n");
        assertThat(GoldenOutputs.instructionSet(cpuinfo)).isEqualTo("avx512");
        Files.writeString(cpuinfo, "flags\t\t: fpu sse2 avx avx2 fma\n");
        assertThat(GoldenOutputs.instructionSet(cpuinfo)).isEqualTo("avx2");
        assertThat(GoldenOutputs.instructionSet(dir.resolve("absent"))).isEqualTo("other");
    }
}
