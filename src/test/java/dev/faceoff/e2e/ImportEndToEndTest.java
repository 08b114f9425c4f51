package dev.faceoff.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import tools.jackson.databind.JsonNode;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.SharedData;
import dev.faceoff.evaluation.PairListAccess;

/**
 * Bring your own model, end to end: {@code import} takes a real third-party embedder (foamliu's MobileFaceNet:
 * 128-d, RGB, ImageNet normalisation, a fixed batch of 1) with no pre-processing flags, the probe finds its
 * pre-processing, it is calibrated, and a separate faceoff serves it through {@code POST /v1/verify} and in an
 * A/B experiment beside the pretrained default. The probe also finds the pretrained embedder's own
 * pre-processing with its declared values hidden; NHWC, 112×96 and a wrongly declared output batch are served
 * from real wrappers of the pretrained weights ({@code models/tools/variants.py}). The imports the tests share (the
 * fixture and the three wrappers, calibrated) are made once, before any test; each test stands on its own.
 */
class ImportEndToEndTest {

    static final String FIXTURE = "foamliu-mobilefacenet";
    static final String PRETRAINED = "mobilefacenet-faceplugin";

    static Path work;
    static Path store;
    static Path lfw;
    static Path subset;
    static Path variants;
    static final List<String> VARIANTS = List.of("nhwc", "w96", "fixed-output");

    @BeforeAll
    static void storeAndData() throws Exception {
        Path models = SharedData.pretrainedModels();
        lfw = SharedData.lfw();
        Path fixture = SharedData.require(SharedData.shared().resolve("models/third-party/" + FIXTURE + "/MobileFaceNet.onnx"),
                "the third-party embedder");
        assertThat(fixture).exists();
        work = Files.createTempDirectory("faceoff-import");
        store = work.resolve("models");
        for (String name : List.of("detector-yunet", "landmarks-68", PRETRAINED)) {
            Files.createDirectories(store.resolve(name));
            for (String file : List.of("model.json", "model.onnx")) {
                Files.copy(models.resolve(name).resolve(file), store.resolve(name).resolve(file));
            }
        }
        // the calibration list: LFW's first fold (600 pairs), image paths absolute
        var lines = new ArrayList<String>(List.of("image1,image2,same"));
        for (String[] p : PairListAccess.fold(SharedData.lfwPairs(), lfw, 0)) {
            lines.add(lfw.resolve(p[0]) + "," + lfw.resolve(p[1]) + "," + (p[2].equals("true") ? 1 : 0));
        }
        subset = work.resolve("fold1.csv");
        Files.write(subset, lines);
        variants = work.resolve("variants");
        var python = new ProcessBuilder("/usr/bin/python3", "models/tools/variants.py",
                models.resolve(PRETRAINED).resolve("model.onnx").toString(), variants.toString()).inheritIO().start();
        assertThat(python.waitFor(120, TimeUnit.SECONDS) && python.exitValue() == 0).as("models/tools/variants.py").isTrue();

        // the fixture with no pre-processing flags: probed and calibrated
        assertThat(importJob("--model", fixture.toString(), "--name", FIXTURE, "--loss", "arcface",
                "--probe-pairs", SharedData.lfwPairs().toString(), "--pairs", subset.toString(), "--calibrate"))
                .as("importing " + FIXTURE).isZero();
        // NHWC, 112×96 and a wrongly declared output batch, with their pre-processing given
        for (String variant : VARIANTS) {
            assertThat(importJob("--model", variants.resolve(variant + ".onnx").toString(), "--name", variant,
                    "--color", "BGR", "--mean", "127.5", "--std", "128", "--pairs", subset.toString(), "--calibrate"))
                    .as("importing " + variant).isZero();
        }
    }

    @AfterAll
    static void clean() throws Exception {
        if (work != null) {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static int importJob(String... args) {
        var all = new ArrayList<>(List.of("import"));
        all.addAll(List.of(args));
        all.addAll(List.of("--faceoff.models.dir=" + store, "--faceoff.runtime.provider=cpu"));
        var context = new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE)
                .properties("faceoff.job=import")
                .run(all.toArray(String[]::new));
        return SpringApplication.exit(context);
    }

    static JsonNode manifest(String name) throws Exception {
        return Http.JSON.readTree(Files.readString(store.resolve(name).resolve("model.json")));
    }

    static List<Double> numbers(JsonNode node) {
        var out = new ArrayList<Double>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asDouble()));
        } else {
            out.add(node.asDouble());
        }
        return out;
    }

    @Test
    void theFixtureIsImportedWithNoPreprocessingFlagsProbedAndCalibrated() throws Exception {
        JsonNode m = manifest(FIXTURE);
        JsonNode input = m.get("input");
        assertThat(input.get("name").asString()).isEqualTo("input0");
        assertThat(input.get("color").asString()).isEqualTo("RGB");
        assertThat(numbers(input.get("mean"))).containsExactly(123.675, 116.28, 103.53);
        assertThat(numbers(input.get("std"))).containsExactly(58.395, 57.12, 57.375);
        assertThat(input.get("shape").toString()).isEqualTo("[1,3,112,112]");
        assertThat(m.get("outputs").get(0).get("dim").asInt()).isEqualTo(128);
        assertThat(m.get("sha256").asString()).hasSize(64);
        assertThat(m.get("provenance").get("license").asString()).startsWith("TO FILL IN");
        assertThat(m.get("thresholds").get("1e-3").get("cosine").asDouble()).isBetween(0.1, 0.9);
        // faceoff's pipeline with this model on LFW's first fold (its authors report 99.48% on all of LFW)
        assertThat(m.get("metrics").get("fold1").get("acc10").asDouble()).isGreaterThan(0.97);
        String probe = Files.readString(store.resolve(FIXTURE).resolve("probe.md"));
        assertThat(probe.lines().filter(l -> l.startsWith("| RGB | ImageNet")).findFirst().orElseThrow()).endsWith("✔ |");
    }

    /** The pretrained embedder imported blind: the probe finds BGR and (x − 127.5) / 128 or / 127.5. */
    @Test
    void theProbeFindsThePretrainedEmbeddersDeclaredPreprocessingWithItHidden() throws Exception {
        Path file = store.resolve(PRETRAINED).resolve("model.onnx");
        assertThat(importJob("--model", file.toString(), "--name", "blind", "--probe-pairs",
                SharedData.lfwPairs().toString())).isZero();
        JsonNode input = manifest("blind").get("input");
        JsonNode declared = manifest(PRETRAINED).get("input");
        assertThat(input.get("color").asString()).isEqualTo(declared.get("color").asString()).isEqualTo("BGR");
        assertThat(numbers(input.get("mean"))).containsExactly(127.5);
        assertThat(numbers(input.get("std")).get(0)).isCloseTo(128, within(0.5));
    }

    /** NHWC, 112×96 and a wrongly declared output batch, imported with their pre-processing given. */
    @Test
    void otherInputContractsImport() throws Exception {
        for (String variant : VARIANTS) {
            assertThat(manifest(variant).get("thresholds").get("1e-3").get("cosine").asDouble()).as(variant).isBetween(0.1, 0.9);
        }
        assertThat(store).as("no import's hidden folder left").isDirectoryNotContaining("glob:**/.import-*");
        assertThat(manifest("nhwc").get("input").get("layout").asString()).isEqualTo("NHWC");
        assertThat(manifest("w96").get("input").get("shape").toString()).isEqualTo("[-1,3,112,96]");
        assertThat(manifest("w96").get("metrics").get("fold1").get("acc10").asDouble()).isGreaterThan(0.95);
    }

    /** A separate faceoff serves every imported model, in an A/B experiment too, with no per-batch warning. */
    @Test
    void importedModelsServeThroughVerifyAndAnExperiment() throws Exception {
        int port = RealProcess.freePort();
        Path run = work.resolve("run");
        Process process = RealProcess.start(run, port, List.of("-Xmx1g"), List.of(
                "--faceoff.experiments.default-experiment=byo",
                "--faceoff.experiments.definitions.byo.sticky-key=header:X-Subject-Id",
                "--faceoff.experiments.definitions.byo.variants.pretrained.model=" + PRETRAINED,
                "--faceoff.experiments.definitions.byo.variants.pretrained.weight=50",
                "--faceoff.experiments.definitions.byo.variants.third-party.model=" + FIXTURE,
                "--faceoff.experiments.definitions.byo.variants.third-party.weight=50"), store,
                // "blind" was imported without --calibrate: a model with no thresholds would stop start-up
                String.join(",", PRETRAINED, FIXTURE, "nhwc", "w96", "fixed-output"));
        try {
            try {
                RealProcess.awaitReady(process, port);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; its log:\n" + Files.readString(run.resolve("out.log")), e);
            }
            var http = new Http(port);
            var pairs = PairListAccess.fold(SharedData.lfwPairs(), lfw, 1);
            var chosen = new ArrayList<String[]>();
            chosen.addAll(pairs.stream().filter(p -> p[2].equals("true")).limit(6).toList());
            chosen.addAll(pairs.stream().filter(p -> p[2].equals("false")).limit(6).toList());
            int correct = 0;
            for (String[] pair : chosen) {
                byte[] a = Files.readAllBytes(lfw.resolve(pair[0]));
                byte[] b = Files.readAllBytes(lfw.resolve(pair[1]));
                JsonNode third = verify(http, a, b, Map.of("model", FIXTURE), null);
                assertThat(third.get("model").get("name").asString()).isEqualTo(FIXTURE);
                assertThat(third.get("model").get("loss").asString()).isEqualTo("arcface");
                correct += third.get("match").asBoolean() == pair[2].equals("true") ? 1 : 0;
                // NHWC is the same network: the same score as the pretrained one
                double pretrained = verify(http, a, b, Map.of("model", PRETRAINED), null).get("similarity").asDouble();
                assertThat(verify(http, a, b, Map.of("model", "nhwc"), null).get("similarity").asDouble())
                        .isCloseTo(pretrained, within(1e-3));
                assertThat(verify(http, a, b, Map.of("model", "fixed-output"), null).get("similarity").asDouble())
                        .isCloseTo(pretrained, within(1e-3));
                verify(http, a, b, Map.of("model", "w96"), null);
            }
            assertThat(correct).isGreaterThanOrEqualTo(11);

            Set<String> variantsSeen = new HashSet<>();
            for (int i = 0; i < 16; i++) {
                String[] pair = chosen.get(i % chosen.size());
                JsonNode r = verify(http, Files.readAllBytes(lfw.resolve(pair[0])), Files.readAllBytes(lfw.resolve(pair[1])),
                        Map.of(), "subject-" + i);
                String variant = r.get("routing").get("variant").asString();
                variantsSeen.add(variant);
                assertThat(r.get("model").get("name").asString()).isEqualTo(variant.equals("pretrained") ? PRETRAINED : FIXTURE);
            }
            assertThat(variantsSeen).containsExactlyInAnyOrder("pretrained", "third-party");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        String log = Files.readString(run.resolve("out.log"));
        assertThat(log).doesNotContain("VerifyOutputSizes");
        assertThat(log.split("declares a fixed batch of 1", -1)).as("the one warning about fixed-output").hasSize(2);
    }

    private static JsonNode verify(Http http, byte[] a, byte[] b, Map<String, Object> fields, String subject) throws Exception {
        var parts = new LinkedHashMap<String, Object>();
        parts.put("image1", a);
        parts.put("image2", b);
        parts.putAll(fields);
        var response = http.postMultipart("/v1/verify", parts, subject == null ? Map.of() : Map.of("X-Subject-Id", subject));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
