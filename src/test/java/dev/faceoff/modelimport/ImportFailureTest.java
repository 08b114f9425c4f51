package dev.faceoff.modelimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.SharedData;
import dev.faceoff.testing.ModelStores;

/**
 * An import that fails leaves the store as it was and says why in one line: a file that is not ONNX, and a real
 * model cut in half, run through the real {@code import} job on a real store.
 */
@ExtendWith(OutputCaptureExtension.class)
class ImportFailureTest {

    static final String PRETRAINED = "mobilefacenet-faceplugin";

    static int importJob(Path store, String... args) {
        var all = new java.util.ArrayList<>(List.of("import"));
        all.addAll(List.of(args));
        ModelStores.properties(store).forEach(p -> all.add("--" + p));
        var context = new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE)
                .properties("faceoff.job=import", "logging.level.root=WARN").run(all.toArray(String[]::new));
        return SpringApplication.exit(context);
    }

    static List<String> listing(Path store) throws Exception {
        try (Stream<Path> paths = Files.walk(store)) {
            return paths.map(p -> store.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aGarbageFileAndATruncatedModelFailInOneLineAndLeaveNothingBehind(@TempDir Path dir, CapturedOutput output)
            throws Exception {
        Path models = SharedData.pretrainedModels();
        Path store = dir.resolve("models");
        for (String name : List.of("detector-yunet", "landmarks-68", PRETRAINED)) {
            Files.createDirectories(store.resolve(name));
            for (String file : List.of("model.json", "model.onnx")) {
                Files.copy(models.resolve(name).resolve(file), store.resolve(name).resolve(file));
            }
        }
        List<String> before = listing(store);
        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "these bytes are no ONNX model\n".repeat(100));
        byte[] real = Files.readAllBytes(models.resolve(PRETRAINED).resolve("model.onnx"));
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(real, real.length / 2));

        for (Path file : List.of(garbage, truncated)) {
            int errLines = output.getErr().split("\n", -1).length;
            assertThat(importJob(store, "--model", file.toString(), "--name", "byo", "--color", "BGR", "--mean", "127.5",
                    "--std", "128")).as(file.toString()).isEqualTo(1);
            assertThat(listing(store)).as("the store after importing " + file).isEqualTo(before);
            List<String> said = Arrays.stream(output.getErr().split("\n", -1)).skip(errLines - 1)
                    .filter(l -> !l.isBlank()).toList();
            assertThat(said).as("stderr of importing " + file).hasSize(1);
            assertThat(said.get(0)).startsWith("import: failed: ").contains(file.getFileName().toString())
                    .contains("not a model ONNX Runtime can load");
        }
        assertThat(output.getAll()).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
