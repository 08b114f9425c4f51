package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.model.ModelLoader;
import dev.faceoff.model.ModelManifest;

class ManifestCalibrationTest {

    @Test
    void writesThresholdsAndMetricsAndKeepsEverythingElse(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("model.json");
        Files.writeString(manifest, """
                {"name": "m", "version": 3, "task": "embedding", "loss": "arcface", "sha256": "ab",
                 "thresholds": {"1e-1": {"cosine": 0.1}}, "metrics": {"other": {"acc10": 0.5}},
                 "training": {"epochs": 12}}
                """);
        var thresholds = new LinkedHashMap<String, double[]>();
        thresholds.put("1e-2", new double[]{0.25, 0.99});
        thresholds.put("1e-3", new double[]{0.31, 0.97});
        thresholds.put("1e-4", new double[]{0.38, 0.93});
        var scores = new ModelScores("m", "arcface", false, 6000, 2, 0.991, 0.004, new double[10], 0.998, 0.01,
                new VerificationMetrics.Separation(0.7, 0.1, 0.1, 0.1, 6.0),
                Map.of("1e-3", 0.97), 29_000_000, 60_000, thresholds,
                List.of(new ModelManifest.TailPoint(1e-2, 0.25), new ModelManifest.TailPoint(5e-3, 0.2712345678),
                        new ModelManifest.TailPoint(1e-7, 0.61)), new double[]{1e-4, 1e-3, 1e-2},
                new double[]{0.9312345, 0.97, 0.99}, new double[0]);
        var flip = new ModelScores("m", "arcface", true, 6000, 2, 0.993, 0.003, new double[10], 0.999, 0.009,
                new VerificationMetrics.Separation(0.7, 0.1, 0.1, 0.1, 6.0),
                Map.of(), 29_000_000, 60_000, Map.of(), List.of(), new double[0], new double[0], new double[0]);
        var pairs = new PairList("pairs.txt", dir, List.of(), 10);
        JsonMapper json = JsonMapper.builder().build();
        ManifestCalibration.write(manifest, pairs, scores, List.of(scores, flip), json);

        JsonNode root = json.readTree(Files.readString(manifest));
        assertThat(root.get("version").asInt()).isEqualTo(3);
        assertThat(root.at("/metrics/lfw/dPrime").asDouble()).isEqualTo(6.0);
        assertThat(root.get("training").get("epochs").asInt()).isEqualTo(12);
        assertThat(root.get("thresholds").has("1e-1")).isFalse();
        assertThat(root.at("/thresholds/1e-3/cosine").asDouble()).isEqualTo(0.31);
        assertThat(root.at("/thresholds/1e-3/dataset").asString()).isEqualTo("lfw");
        assertThat(root.at("/thresholds/1e-3/pairs").asLong()).isEqualTo(29_000_000);
        assertThat(root.at("/metrics/other/acc10").asDouble()).isEqualTo(0.5);
        assertThat(root.at("/metrics/lfw/acc10").asDouble()).isEqualTo(0.991);
        assertThat(root.at("/metrics/lfw/acc10Flip").asDouble()).isEqualTo(0.993);
        assertThat(root.at("/metrics/lfw/roc/far/1").asDouble()).isEqualTo(1e-3);
        assertThat(root.at("/metrics/lfw/roc/tar/0").asDouble()).isEqualTo(0.9312);
        assertThat(root.at("/metrics/lfw/roc/tar").size()).isEqualTo(3);
        assertThat(root.at("/identification/dataset").asString()).isEqualTo("lfw");
        assertThat(root.at("/identification/impostorPairs").asLong()).isEqualTo(29_000_000);
        assertThat(root.at("/identification/tail/1/far").asDouble()).isEqualTo(5e-3);
        assertThat(root.at("/identification/tail/1/cosine").asDouble()).isEqualTo(0.271235);
        assertThat(root.at("/identification/tail").size()).isEqualTo(3);
        assertThat(root.at("/identification/calibrated").asString()).isNotEmpty();
        assertThat(root.propertyNames()).containsSubsequence("thresholds", "identification", "metrics");
        // and the service reads it back
        ModelManifest read = ModelLoader.readManifest(manifest);
        assertThat(read.thresholdsByFar()).containsKeys(1e-2, 1e-3, 1e-4);
        assertThat(read.identification().tail()).extracting(ModelManifest.TailPoint::far).containsExactly(1e-2, 5e-3, 1e-7);
        assertThat(read.identification().impostorPairs()).isEqualTo(29_000_000L);
    }

    @Test
    void aModelServedWithFlipIsCalibratedOnItsFlippedScores(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("model.json");
        Files.writeString(manifest, """
                {"name": "m", "version": 1, "task": "embedding", "loss": "center", "sha256": "ab", "testTimeFlip": true,
                 "identification": {"dataset": "old", "tail": [{"far": 0.01, "cosine": 0.5}]}}
                """);
        var plain = new ModelScores("m", "center", false, 6000, 0, 0.86, 0.02, new double[10], 0.93, 0.14,
                new VerificationMetrics.Separation(0.5, 0.2, 0.1, 0.2, 2.2),
                Map.of("1e-3", 0.33), 29_000_000, 60_000, Map.of("1e-3", new double[]{0.58, 0.33}), List.of(),
                new double[0], new double[0], new double[0]);
        var flip = new ModelScores("m", "center", true, 6000, 0, 0.87, 0.01, new double[10], 0.94, 0.13,
                new VerificationMetrics.Separation(0.5, 0.2, 0.1, 0.2, 2.3),
                Map.of("1e-3", 0.36), 29_000_000, 60_000, Map.of("1e-3", new double[]{0.60, 0.36}), List.of(),
                new double[0], new double[0], new double[0]);
        JsonMapper json = JsonMapper.builder().build();
        ManifestCalibration.write(manifest, new PairList("pairs.txt", dir, List.of(), 10), flip, List.of(plain, flip), json);

        JsonNode root = json.readTree(Files.readString(manifest));
        assertThat(root.get("testTimeFlip").asBoolean()).isTrue();
        assertThat(root.at("/thresholds/1e-3/cosine").asDouble()).isEqualTo(0.60);
        assertThat(root.at("/metrics/lfw/acc10").asDouble()).isEqualTo(0.87);
        assertThat(root.at("/metrics/lfw/testTimeFlip").asBoolean()).isTrue();
        assertThat(root.at("/metrics/lfw/acc10NoFlip").asDouble()).isEqualTo(0.86);
        assertThat(root.at("/metrics/lfw").has("acc10Flip")).isFalse();
        assertThat(root.has("identification")).as("no tail measured: the earlier one removed").isFalse();
    }
}
