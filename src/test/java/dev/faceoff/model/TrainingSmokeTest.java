package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.Prerequisites;
import dev.faceoff.model.RuntimeProperties.Provider;

/**
 * The training smoke run (every loss, a few real training steps on a generated set, exported) and the
 * exports loaded by the service's own model store: manifest validated against the session, golden
 * outputs reproduced within 1e-4, and a batch of two faces through one run.
 */
class TrainingSmokeTest {

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)   // the smoke run may take 10 (junit-platform.properties: 5)
    void everyLossTrainsExportsAndLoadsInJava(@TempDir Path out) throws Exception {
        requireTorch();
        Path repo = Path.of("").toAbsolutePath();
        Path logFile = out.resolve("smoke.log");
        Process smoke = new ProcessBuilder("/usr/bin/python3", "-m", "training.smoke", "--out", out.toString())
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        boolean exited = smoke.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            smoke.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(logFile);
        System.out.print(log);
        assertThat(exited).as("training.smoke within 10 minutes: " + log).isTrue();
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
            throw Prerequisites.missing("python3-torch / python3-onnx not installed (bin/setup --test installs them)");
        }
    }
}
