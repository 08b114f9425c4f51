package dev.faceoff.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code --calibrate}: writes thresholds at FAR 1e-2, 1e-3, 1e-4 (with the data set and pair count they
 * came from) and the evaluation metrics into a model.json, leaving every other field as it was.
 */
final class ManifestCalibration {

    private ManifestCalibration() {
    }

    static void write(Path manifest, PairList pairs, ModelScores plain, List<ModelScores> all, JsonMapper json) throws IOException {
        ObjectNode root = (ObjectNode) json.readTree(Files.readAllBytes(manifest));
        String dataset = dataset(pairs);
        ObjectNode thresholds = root.putObject("thresholds");
        for (double far : ModelScores.CALIBRATED_FARS) {
            double[] v = plain.thresholds().get(ModelScores.farKey(far));
            if (v == null) {
                continue;
            }
            ObjectNode t = thresholds.putObject(ModelScores.farKey(far));
            t.put("cosine", Math.round(v[0] * 1e6) / 1e6);
            t.put("tar", Math.round(v[1] * 1e6) / 1e6);
            t.put("dataset", dataset);
            t.put("pairs", plain.calibrationNegatives());
            t.put("calibrated", LocalDate.now().toString());
        }
        JsonNode existing = root.get("metrics");
        ObjectNode metrics = existing instanceof ObjectNode o ? o : root.putObject("metrics");
        ObjectNode m = metrics.putObject(dataset);
        m.put("pairs", plain.pairs());
        m.put("acc10", round(plain.acc10()));
        m.put("sd", round(plain.sd()));
        m.put("auc", round(plain.auc()));
        m.put("eer", round(plain.eer()));
        m.put("dPrime", round(plain.separation().dPrime()));
        Double tar3 = plain.tarAtFar().get("1e-3");
        if (tar3 != null) {
            m.put("tarAtFar1e-3", round(tar3));
        }
        m.put("pairsMissingFace", plain.pairsMissingFace());
        all.stream().filter(s -> s.flip() && s.model().equals(plain.model())).findFirst().ifPresent(f -> {
            m.put("acc10Flip", round(f.acc10()));
            m.put("sdFlip", round(f.sd()));
            m.put("aucFlip", round(f.auc()));
        });
        m.put("command", "java -jar target/faceoff.jar evaluate --pairs " + pairs.name() + " --calibrate");
        Files.writeString(manifest, json.writeValueAsString(root) + "\n");
    }

    private static String dataset(PairList pairs) {
        String name = pairs.name().toLowerCase(java.util.Locale.ROOT);
        return name.equals("pairs.txt") ? "lfw" : name.replaceAll("\\.(txt|csv)$", "");
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
