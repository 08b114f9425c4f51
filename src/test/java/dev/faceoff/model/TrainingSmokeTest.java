package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.model.RuntimeProperties.Provider;

/**
 * The training smoke run (every loss, a few real training steps on a generated set, exported) and the
 * exports loaded by the service's own model store: manifest validated against the session, golden
 * outputs reproduced within 1e-4, and a batch of two faces through one run.
 */
class TrainingSmokeTest {

    @Test
    void everyLossTrainsExportsAndLoadsInJava(@TempDir Path out) throws Exception {
        requireTorch();
        Path repo = Path.of("").toAbsolutePath();
        Process smoke = new ProcessBuilder("/usr/bin/python3", "-m", "training.smoke", "--out", out.toString())
                .directory(repo.toFile()).redirectErrorStream(true).start();
        String log = new String(smoke.getInputStream().readAllBytes());
        assertThat(smoke.waitFor(10, TimeUnit.MINUTES)).isTrue();
        System.out.print(log);
        assertThat(smoke.exitValue()).as(log).isZero();

        List<Path> exports;
        try (Stream<Path> dirs = Files.list(out)) {
            exports = dirs.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).sorted().toList();
        }
        assertThat(exports).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "softmax-mfn64", "contrastive-mfn64", "triplet-mfn64", "center-mfn64", "sphereface-mfn64",
                "cosface-mfn64", "arcface-mfn64");
        var runtime = new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
        for (Path export : exports) {
            GoldenOutputs.check(export, runtime);
            LoadedModel model = new ModelLoader(runtime).load(export);
            try {
                assertThat(model.dynamicBatch()).isTrue();
                assertThat(model.manifest().loss()).isEqualTo(export.getFileName().toString().replace("-mfn64", ""));
                assertThat(model.manifest().output().dim()).isEqualTo(128);
            } finally {
                model.session().close();
            }
        }
    }

    static void requireTorch() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, onnx").redirectErrorStream(true).start();
        boolean ok = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        if (!ok) {
            String message = "python3-torch / python3-onnx not installed (bin/setup --test installs them)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(message + " — CI must have them");
            }
            Assumptions.abort("SKIPPED: " + message);
        }
    }
}
