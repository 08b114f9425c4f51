package dev.faceoff.evaluation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;

/**
 * {@code evaluate}: scores embedding models on a pair list with the service's own pipeline, writes a
 * Markdown report, a JSON file with every number and a ROC plot, and with {@code --calibrate} writes the
 * thresholds and the impostor tail into each model's model.json.
 */
@Component("evaluate")
public final class EvaluateJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar evaluate --pairs FILE [options]
              --pairs FILE      LFW pairs.txt (10 folds) or a CSV with header image1,image2,same[,fold]
                                (paths relative to the CSV's folder, e.g. cfp-dev/pairs_fp.csv)
              --images DIR      folder the image paths are relative to (LFW default: lfw-deepfunneled beside pairs.txt)
              --models A,B      embedding models (default: every embedding model in the store)
              --flip            also evaluate with test-time flip (image + mirror), reported separately
                                (always done for a model served with "testTimeFlip": true)
              --select S        face choice: largest (default: faceoff.detection.select), prominent, center, score
              --calibrate       write thresholds at FAR 1e-2, 1e-3, 1e-4, the impostor tail (identification:
                                1, 2, 5 × 10^-k down to 10 accepted impostors) and the metrics into each model.json
              --out DIR         report folder (default target/evaluation)
              --cache DIR       resumable cache (default ~/.cache/faceoff/evaluation)
              --threads N       worker threads (default: all cores)
              --thresholds F    decide the quality sweep at the FAR=1e-3 thresholds of an earlier run's
                                report.json (e.g. LFW with the same detector) instead of the model.json's
              --faceoff.KEY=V   any configuration key, e.g. --faceoff.models.detector=detector-rfb320
            """;

    /** The FAR the service decides at by default (faceoff.decision.far): the quality sweep's threshold. */
    static final double SERVED_FAR = 1e-3;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ModelRepository models;
    private final FacePreparation preparation;
    private final DetectionProperties detection;

    EvaluateJob(ModelRepository models, FacePreparation preparation, DetectionProperties detection) {
        this.models = models;
        this.preparation = preparation;
        this.detection = detection;
    }

    /**
     * One evaluation: the pairs, the face choice, worker threads, the resumable cache and report folders, whether to
     * evaluate with test-time flip too and to calibrate, and an earlier report to take thresholds from (or null).
     */
    record Settings(PairList pairs, FaceSelection selection, int threads, Path cacheDir, Path outDir, boolean flip,
                    boolean calibrate, Path thresholdsFrom) {
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("pairs", "images", "models", "flip", "select", "calibrate", "out", "cache", "threads", "thresholds");
        List<LoadedModel> chosen = args.list("models").isEmpty() ? models.embeddings() : chooseModels(models, args.list("models"));
        PairList pairs = PairList.read(Path.of(args.require("pairs")), args.path("images", null));
        FaceSelection selection = args.values().containsKey("select") ? FaceSelection.parse(args.get("select", ""))
                : detection.select();
        evaluate(new Settings(pairs, selection, args.integer("threads", Runtime.getRuntime().availableProcessors()),
                args.path("cache", FacePreparation.EVALUATION_CACHE), args.path("out", Path.of("target", "evaluation")),
                args.flag("flip"), args.flag("calibrate"), args.path("thresholds", null)), chosen, out);
        return 0;
    }

    /**
     * Calibrates a model that need not be in the store's set (one being imported) as {@code evaluate --calibrate}
     * does: thresholds and metrics into its model.json, the report into {@code outDir}.
     */
    public void calibrate(LoadedModel model, PairList pairs, int threads, Path outDir, PrintStream out) throws IOException {
        evaluate(new Settings(pairs, detection.select(), threads, FacePreparation.EVALUATION_CACHE, outDir, false, true, null),
                List.of(model), out);
    }

    /** Evaluates (and when the settings say so calibrates) the given models. */
    void evaluate(Settings settings, List<LoadedModel> chosen, PrintStream out) throws IOException {
        PairList pairs = settings.pairs();
        FaceSelection selection = settings.selection();
        int threads = settings.threads();
        Path cacheDir = settings.cacheDir();
        Path outDir = settings.outDir();
        Files.createDirectories(outDir);
        List<String> images = pairs.images();
        out.printf("evaluate: %s, %d pairs, %d images, %d folds; models %s; select=%s; threads=%d%n", pairs.name(),
                pairs.pairs().size(), images.size(), pairs.folds(), chosen.stream().map(LoadedModel::name).toList(),
                selection.name().toLowerCase(Locale.ROOT), threads);

        long t0 = System.nanoTime();
        String pipelineKey = preparation.pipelineKey(selection);
        Map<String, FaceRecord> faces = preparation.faces(selection, pairs.root(), images, cacheDir, pipelineKey, threads, out);
        double alignSeconds = (System.nanoTime() - t0) / 1e9;
        var noFace = faces.entrySet().stream().filter(e -> !e.getValue().found())
                .map(e -> e.getKey() + " (" + e.getValue().error() + ")").sorted().toList();
        out.printf("evaluate: faces found in %d/%d images (%.1fs)%n", images.size() - noFace.size(), images.size(), alignSeconds);

        var results = new ArrayList<ModelScores>();
        var sweeps = new ArrayList<QualitySweep>();
        var decisions = new ArrayList<ServedDecision>();
        Path thresholdsFrom = settings.thresholdsFrom();
        JsonNode thresholdReport = thresholdsFrom == null ? null : JSON.readTree(Files.readString(thresholdsFrom));
        var timings = new LinkedHashMap<String, Double>();
        for (LoadedModel model : chosen) {
            boolean bothWays = settings.flip() || model.manifest().testTimeFlip();
            for (boolean flip : bothWays ? new boolean[]{false, true} : new boolean[]{false}) {
                long t = System.nanoTime();
                String file = FacePreparation.embeddingCache(model, flip, pipelineKey);
                Map<String, float[]> embeddings;
                try (RecordLog cache = RecordLog.open(cacheDir.resolve(file))) {
                    embeddings = preparation.embeddings(model, flip, pairs.root(), faces, cache, threads, out);
                }
                ModelScores scores = ModelScores.compute(model.name(), model.manifest().loss(), flip, pairs, embeddings);
                results.add(scores);
                var served = flip == model.manifest().testTimeFlip()   // the way it is served
                        ? servedThreshold(model, flip, thresholdReport, thresholdsFrom, settings.calibrate() ? scores : null,
                        pairs.name()) : null;
                if (served != null) {
                    ServedDecision decision = ServedDecision.of(model.name(), flip, served.cosine(), served.dataset(),
                            pairs.pairs(), scores.pairScores());
                    decisions.add(decision);
                    out.printf(Locale.ROOT, "evaluate: %s at its served threshold %.4f (FAR %s on %s): FRR %.2f%%, FAR %.2f%%%n",
                            model.name(), served.cosine(), ModelScores.farKey(SERVED_FAR), served.dataset(),
                            100 * decision.frr(), 100 * decision.far());
                    sweeps.add(QualitySweep.of(model.name(), flip, served.cosine(), SERVED_FAR, served.dataset(), pairs,
                            faces, embeddings));
                }
                timings.put(model.name() + (flip ? "+flip" : ""), (System.nanoTime() - t) / 1e9);
                out.println("evaluate: " + Reports.summary(scores));
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        Reports.write(outDir, pairs, images.size(), noFace, selection, results, sweeps, decisions, alignSeconds, timings,
                total, JSON);
        out.printf("evaluate: wrote %s, %s and %s (%.1fs in all)%n", outDir.resolve("report.md"),
                outDir.resolve("report.json"), outDir.resolve("roc.png"), total);
        if (settings.calibrate()) {
            for (ModelScores scores : results) {
                LoadedModel model = chosen.stream().filter(m -> m.name().equals(scores.model())).findFirst().orElseThrow();
                if (scores.flip() == model.manifest().testTimeFlip()) {   // the way it is served
                    Path manifest = model.directory().resolve("model.json");
                    ManifestCalibration.write(manifest, pairs, scores, results, JSON);
                    out.println("evaluate: calibrated " + manifest + (scores.tail().isEmpty() ? ", no impostor tail"
                            : String.format(Locale.ROOT, ", impostor tail of %d points down to FAR %s at cosine %.6f",
                            scores.tail().size(), scores.tail().get(scores.tail().size() - 1).far(),
                            scores.tail().get(scores.tail().size() - 1).cosine())));
                }
            }
        }
    }

    /**
     * The threshold the model is served with, which the sweep and the served decision use: this run's own
     * calibration when it calibrates ({@code calibrating}: what it writes into the manifest), else from an
     * earlier run's report.json ({@code --thresholds}, the calibration at {@link #SERVED_FAR} of the same model
     * and flip), else the model's manifest.
     */
    private static ModelManifest.Threshold servedThreshold(LoadedModel model, boolean flip, JsonNode report, Path file,
                                                           ModelScores calibrating, String pairList) {
        if (calibrating != null && calibrating.thresholds().containsKey(ModelScores.farKey(SERVED_FAR))) {
            double[] t = calibrating.thresholds().get(ModelScores.farKey(SERVED_FAR));
            return new ModelManifest.Threshold(t[0], t[1], pairList, (int) Math.min(Integer.MAX_VALUE,
                    calibrating.calibrationNegatives()), null);
        }
        if (report == null) {
            return model.manifest().thresholdAt(SERVED_FAR).orElse(null);
        }
        for (JsonNode r : report.path("results")) {
            if (r.path("model").asString().equals(model.name()) && r.path("flip").asBoolean() == flip) {
                JsonNode t = r.path("calibration").path("thresholds").path(ModelScores.farKey(SERVED_FAR));
                if (t.isMissingNode()) {
                    return null;
                }
                return new ModelManifest.Threshold(t.path("cosine").asDouble(),
                        t.has("tar") ? t.path("tar").asDouble() : null, file.toString(),
                        r.path("calibration").path("negatives").asInt(), null);
            }
        }
        throw new IllegalArgumentException(file + " has no result for " + model.name() + (flip ? " +flip" : ""));
    }

    /** The named embedding models, or {@code IllegalArgumentException} (the job's usage error) naming those there are. */
    static List<LoadedModel> chooseModels(ModelRepository models, List<String> names) {
        return names.stream().map(n -> models.embedding(n).orElseThrow(() -> new IllegalArgumentException(
                "no embedding model '" + n + "'; have " + models.embeddings().stream().map(LoadedModel::name).toList())))
                .toList();
    }
}
