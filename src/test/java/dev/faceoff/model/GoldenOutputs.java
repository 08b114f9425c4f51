package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cross-language check: ONNX Runtime in Java reproduces the PyTorch outputs that the training export
 * wrote into golden.json, on inputs both sides generate from the same formula.
 */
final class GoldenOutputs {

    private GoldenOutputs() {
    }

    /** x[0,c,h,w] = float32(sin(0.37(k+1) + 0.11·h·(c+1) + 0.05·w)), computed in double. */
    static float[] input(int k, int size) {
        float[] x = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < size; h++) {
                for (int w = 0; w < size; w++) {
                    x[(c * size + h) * size + w] = (float) Math.sin(0.37 * (k + 1) + 0.11 * h * (c + 1) + 0.05 * w);
                }
            }
        }
        return x;
    }

    /** Loads the model folder (validating its manifest against the session) and checks every golden case. */
    static double check(Path folder, OnnxRuntime runtime) throws Exception {
        JsonNode golden = JsonMapper.builder().build().readTree(Files.readString(folder.resolve("golden.json")));
        assertThat(golden.get("generator").asString()).isEqualTo("sin(0.37*(k+1) + 0.11*h*(c+1) + 0.05*w)");
        double tolerance = golden.get("tolerance").asDouble();
        LoadedModel model = new ModelLoader(runtime).load(folder);
        try {
            var input = model.manifest().input();
            int size = input.height();
            double worst = 0;
            for (JsonNode c : cases(golden, folder)) {
                int k = c.get("k").asInt();
                float[] actual = run(model, runtime, input(k, size), size);
                JsonNode expected = c.get("output");
                assertThat(actual).hasSize(expected.size());
                for (int i = 0; i < actual.length; i++) {
                    worst = Math.max(worst, Math.abs(actual[i] - expected.get(i).asDouble()));
                }
            }
            assertThat(worst).as("max |java - reference| for " + folder.getFileName()).isLessThanOrEqualTo(tolerance);
            return worst;
        } finally {
            model.session().close();
        }
    }

    /**
     * The reference cases: the file's own, or (an INT8 model, models/tools/golden.py) those of this host's
     * instruction-set family, since ONNX Runtime's INT8 kernels compute differently with and without VNNI.
     */
    static JsonNode cases(JsonNode golden, Path folder) throws IOException {
        JsonNode families = golden.get("byInstructionSet");
        if (families == null) {
            return golden.get("cases");
        }
        String family = instructionSet(Path.of("/proc/cpuinfo"));
        JsonNode reference = families.get(family);
        assertThat(reference).as("%s/golden.json has no reference for this host's instruction set '%s' (it has %s): "
                + "write one here with python3 -m models.tools.golden %s", folder.getFileName(), family,
                families.propertyNames(), folder).isNotNull();
        return reference.get("cases");
    }

    /** The family of ONNX Runtime's INT8 kernels, from the CPU flags: as models/tools/golden.py's instruction_set. */
    static String instructionSet(Path cpuinfo) throws IOException {
        Set<String> flags = Set.of();
        if (Files.isReadable(cpuinfo)) {
            flags = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))).orElse(Set.of());
        }
        if (flags.contains("avx512_vnni") || flags.contains("avx_vnni")) {
            return "vnni";
        }
        if (flags.contains("avx512bw")) {
            return "avx512";
        }
        return flags.contains("avx2") ? "avx2" : "other";
    }

    /** Through the service's own runner, as served. */
    static float[] run(LoadedModel model, OnnxRuntime runtime, float[] x, int size) {
        return new ModelRunner(runtime).run(model, x, 1, 3, size, size).get(model.manifest().output().name());
    }
}
