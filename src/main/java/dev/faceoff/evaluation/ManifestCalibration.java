package dev.faceoff.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.faceoff.model.ModelManifest;

/**
 * {@code --calibrate}: writes thresholds at FAR 1e-2, 1e-3, 1e-4 (with the data set and pair count they
 * came from), the impostor tail that identification thresholds are read from ({@code identification}: thresholds from
 * FAR 1e-2 down to the deepest the impostor pairs support, {@link ModelScores#tailFars}) and the evaluation metrics (with the ROC's points) into a model.json, leaving every other field as it was. Both come
 * from the scores of the model as it is served: with test-time flip where its model.json asks for it.
 */
final class ManifestCalibration {

    private ManifestCalibration() {
    }

    static void write(Path manifest, PairList pairs, ModelScores served, List<ModelScores> all, JsonMapper json) throws IOException {
        ObjectNode root = (ObjectNode) json.readTree(Files.readAllBytes(manifest));
        String dataset = dataset(pairs);
        ObjectNode thresholds = root.putObject("thresholds");
        for (double far : ModelScores.CALIBRATED_FARS) {
            double[] v = served.thresholds().get(ModelScores.farKey(far));
            if (v == null) {
                continue;
            }
            ObjectNode t = thresholds.putObject(ModelScores.farKey(far));
            t.put("cosine", Math.round(v[0] * 1e6) / 1e6);
            t.put("tar", Math.round(v[1] * 1e6) / 1e6);
            t.put("dataset", dataset);
            t.put("pairs", served.calibrationNegatives());
            t.put("calibrated", LocalDate.now().toString());
        }
        root.remove("identification");   // none written below when the impostors are too few for a tail
        if (!served.tail().isEmpty()) {
            ObjectNode identification = json.createObjectNode();
            identification.put("dataset", dataset);
            identification.put("impostorPairs", served.calibrationNegatives());
            var tail = identification.putArray("tail");
            for (ModelManifest.TailPoint point : served.tail()) {
                tail.addObject().put("far", point.far()).put("cosine", round(point.cosine()));
            }
            identification.put("calibrated", LocalDate.now().toString());
            root = after(root, "thresholds", "identification", identification, json);
        }
        JsonNode existing = root.get("metrics");
        ObjectNode metrics = existing instanceof ObjectNode o ? o : root.putObject("metrics");
        ObjectNode m = metrics.putObject(dataset);
        m.put("pairs", served.pairs());
        m.put("acc10", round(served.acc10()));
        m.put("sd", round(served.sd()));
        m.put("auc", round(served.auc()));
        m.put("eer", round(served.eer()));
        m.put("dPrime", round(served.separation().dPrime()));
        Double tar3 = served.tarAtFar().get("1e-3");
        if (tar3 != null) {
            m.put("tarAtFar1e-3", round(tar3));
        }
        m.put("pairsMissingFace", served.pairsMissingFace());
        m.put("testTimeFlip", served.flip());
        // the other way, for comparison: with flip for a plain model, without it for a flipped one
        String other = served.flip() ? "NoFlip" : "Flip";
        all.stream().filter(s -> s.flip() != served.flip() && s.model().equals(served.model())).findFirst()
                .ifPresent(o -> {
                    m.put("acc10" + other, round(o.acc10()));
                    m.put("sd" + other, round(o.sd()));
                    m.put("auc" + other, round(o.auc()));
                });
        // the ROC of all cross-identity pairs on a log grid of FARs (1e-6 … 1): the console draws it
        ObjectNode roc = m.putObject("roc");
        var far = roc.putArray("far");
        var tar = roc.putArray("tar");
        for (int i = 0; i < served.rocFar().length; i++) {
            far.add(Math.round(served.rocFar()[i] * 1e9) / 1e9);
            tar.add(Math.round(served.rocTar()[i] * 1e4) / 1e4);
        }
        m.put("command", "java -jar target/faceoff.jar evaluate --pairs " + pairs.name() + " --calibrate");
        Files.writeString(manifest, json.writeValueAsString(root) + "\n");
    }

    /** {@code root} with {@code key} set just after {@code anchor}, so that the file reads in the order of the contract. */
    private static ObjectNode after(ObjectNode root, String anchor, String key, JsonNode value, JsonMapper json) {
        ObjectNode ordered = json.createObjectNode();
        for (String name : root.propertyNames()) {
            ordered.set(name, root.get(name));
            if (name.equals(anchor)) {
                ordered.set(key, value);
            }
        }
        return ordered;
    }

    private static String dataset(PairList pairs) {
        String name = pairs.name().toLowerCase(java.util.Locale.ROOT);
        return name.equals("pairs.txt") ? "lfw" : name.replaceAll("\\.(txt|csv)$", "");
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
