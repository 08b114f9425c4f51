package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
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
import tools.jackson.databind.JsonNode;

/** The align and evaluate jobs end to end, on the real models and a few identities from ../shared. */
@ExtendWith(OutputCaptureExtension.class)
class JobsEndToEndTest {

    static Path models;

    @BeforeAll
    static void data() {
        models = SharedData.pretrainedModels();
        SharedData.lfw();
    }

    static int job(String... args) {
        var context = new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE)
                .properties("faceoff.job=" + args[0]).properties(ModelStores.properties(models).toArray(String[]::new))
                .run(args);
        return SpringApplication.exit(context);
    }

    @Test
    void alignWritesCropsManifestAndResumes(@TempDir Path dir, CapturedOutput output) throws Exception {
        Path celeba = SharedData.dataset("celeba-299");
        Path input = dir.resolve("in");
        Files.createDirectories(input);
        List<String> identities;
        try (Stream<Path> ids = Files.list(celeba)) {
            identities = ids.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
        }
        for (String id : identities) {
            Files.createSymbolicLink(input.resolve(id), celeba.resolve(id));
        }
        long images = 0;
        for (String id : identities) {
            try (Stream<Path> files = Files.list(celeba.resolve(id))) {
                images += files.count();
            }
        }
        Path out = dir.resolve("out");
        assertThat(job("align", "--input", input.toString(), "--output", out.toString(), "--threads", "2")).isZero();

        List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
        List<String> noFace = Files.readAllLines(out.resolve("no_face.csv"));
        assertThat(manifest.get(0)).isEqualTo("file,source,identity,score,x0,y0,x1,y1,x2,y2,x3,y3,x4,y4");
        assertThat(manifest.size() - 1 + noFace.size() - 1).isEqualTo(images);
        assertThat(manifest.size() - 1).isGreaterThanOrEqualTo((int) (0.9 * images));
        String[] first = manifest.get(1).split(",");
        assertThat(first[0]).isEqualTo(first[1].replaceAll("\\.jpg$", ".png"));
        Path crop = out.resolve(first[0]);
        assertThat(crop).exists();
        var mat = org.opencv.imgcodecs.Imgcodecs.imread(crop.toString());
        assertThat(mat.cols()).isEqualTo(112);
        assertThat(mat.rows()).isEqualTo(112);
        mat.release();
        JsonNode summary = Http.JSON.readTree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.get("images").asLong()).isEqualTo(images);

        // a second run finds everything done and redoes nothing
        assertThat(job("align", "--input", input.toString(), "--output", out.toString())).isZero();
        assertThat(output.getErr()).contains(images + " already done");
        assertThat(Files.readAllLines(out.resolve("manifest.csv"))).hasSameSizeAs(manifest);
    }

    @Test
    void evaluateReportsCalibratesAndResumesFromItsCache(@TempDir Path dir, CapturedOutput output) throws Exception {
        Path lfw = SharedData.lfw();
        var pairs = dev.faceoff.evaluation.PairListAccess.fold(SharedData.lfwPairs(), lfw, 3);
        var lines = new ArrayList<String>();
        lines.add("image1,image2,same");
        pairs.stream().filter(p -> p[2].equals("true")).limit(20).forEach(p -> lines.add(p[0] + "," + p[1] + ",1"));
        pairs.stream().filter(p -> p[2].equals("false")).limit(20).forEach(p -> lines.add(p[0] + "," + p[1] + ",0"));
        Path csv = dir.resolve("pairs.csv");
        Files.write(csv, lines);
        Path out = dir.resolve("report");
        Path cache = dir.resolve("cache");
        String[] args = {"evaluate", "--pairs", csv.toString(), "--images", lfw.toString(), "--out", out.toString(),
                "--cache", cache.toString(), "--flip", "--models", "mobilefacenet-faceplugin"};
        assertThat(job(args)).isZero();

        JsonNode report = Http.JSON.readTree(Files.readString(out.resolve("report.json")));
        assertThat(report.get("pairs").asInt()).isEqualTo(40);
        JsonNode plain = report.get("results").get(0);
        assertThat(plain.get("model").asString()).isEqualTo("mobilefacenet-faceplugin");
        assertThat(plain.get("flip").asBoolean()).isFalse();
        assertThat(plain.get("acc10").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(plain.get("auc").asDouble()).isGreaterThan(0.95);
        JsonNode separation = plain.get("separation");   // same-person cosines lie well above different-person ones
        assertThat(separation.get("sameMean").asDouble()).isGreaterThan(separation.get("differentMean").asDouble());
        assertThat(separation.get("dPrime").asDouble()).isGreaterThan(1.0);
        assertThat(report.get("results").get(1).get("flip").asBoolean()).isTrue();
        assertThat(out.resolve("roc.png")).exists();
        assertThat(Files.readString(out.resolve("report.md"))).contains("| mobilefacenet-faceplugin | unknown | no |");

        // rerun: faces and embeddings all come from the cache
        assertThat(job(args)).isZero();
        assertThat(output.getErr()).containsPattern("\\[align\\].*\\((\\d+) cached\\)");
        JsonNode again = Http.JSON.readTree(Files.readString(out.resolve("report.json")));
        assertThat(again.get("results").get(0).get("acc10").asDouble()).isEqualTo(plain.get("acc10").asDouble());
    }
}
