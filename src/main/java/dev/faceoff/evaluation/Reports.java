package dev.faceoff.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.detection.FaceSelection;

/** The evaluation's outputs: report.md, report.json and roc.png. */
final class Reports {

    private Reports() {
    }

    static String summary(ModelScores s) {
        return String.format(Locale.ROOT, "%s%s: acc10 %.2f%% ± %.2f, AUC %.4f, EER %.2f%%, TAR@FAR=1e-3 %s, "
                        + "pairs with a missing face %d", s.model(), s.flip() ? " +flip" : "", 100 * s.acc10(), 100 * s.sd(),
                s.auc(), 100 * s.eer(), pct(s.tarAtFar().get("1e-3")), s.pairsMissingFace());
    }

    static void write(Path dir, PairList pairs, int images, List<String> noFace, FaceSelection selection,
                      List<ModelScores> results, List<QualitySweep> sweeps, List<ServedDecision> decisions,
                      double alignSeconds,
                      Map<String, Double> embedSeconds, double totalSeconds, JsonMapper json) throws IOException {
        var root = new LinkedHashMap<String, Object>();
        root.put("pairList", pairs.name());
        // when: zoo_table keeps, for a model in several reports, the result of the latest one
        root.put("generated", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        root.put("pairs", pairs.pairs().size());
        root.put("pairSame", pairs.pairs().stream().map(PairList.Pair::same).toList());
        root.put("pairFold", pairs.pairs().stream().map(PairList.Pair::fold).toList());
        root.put("folds", pairs.folds());
        root.put("images", images);
        root.put("imagesWithoutFace", noFace);
        root.put("select", selection.name().toLowerCase(Locale.ROOT));
        root.put("missingFaceRule", "a pair with an image where no face was found is scored -1 (always rejected)");
        root.put("calibrationSet", "every cross-identity pair (negatives) and same-identity pair (positives) "
                + "among the pair list's images with a face");
        root.put("seconds", new Seconds(alignSeconds, embedSeconds, totalSeconds));
        root.put("results", results.stream().map(Reports::asMap).toList());
        root.put("servedDecisions", decisions);
        root.put("qualitySweeps", sweeps);
        Files.writeString(dir.resolve("report.json"), json.writeValueAsString(root));
        Files.writeString(dir.resolve("report.md"), markdown(pairs, images, noFace, selection, results, alignSeconds, totalSeconds)
                + servedMarkdown(decisions) + QualityReport.markdown(sweeps));
        plot(dir.resolve("roc.png"), pairs, results);
    }

    /** The official pairs decided at each model's served threshold: what users of that model would see. */
    static String servedMarkdown(List<ServedDecision> decisions) {
        if (decisions.isEmpty()) {
            return "";
        }
        var md = new StringBuilder("\n## At the served threshold\n\nThe official pairs decided at the threshold each model "
                + "is served with (its calibration at FAR " + ModelScores.farKey(EvaluateJob.SERVED_FAR) + "): FRR = same-person "
                + "pairs refused, FAR = different-person pairs accepted.\n\n| model | flip | threshold | calibrated on | FRR | FAR |\n"
                + "|---|---|---|---|---|---|\n");
        for (ServedDecision d : decisions) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %s | %.2f%% (%d/%d) | %.2f%% (%d/%d) |%n", d.model(),
                    d.flip() ? "yes" : "no", d.threshold(), d.source(), 100 * d.frr(), d.falseRejects(), d.same(),
                    100 * d.far(), d.falseAccepts(), d.different()));
        }
        return md.toString();
    }

    /** Pair scores to 1e-6, as report.json keeps them (paired tests reproduce the accuracy from them). */
    static double[] rounded(double[] scores) {
        return java.util.Arrays.stream(scores).map(v -> Math.round(v * 1e6) / 1e6).toArray();
    }

    static Map<String, Object> asMap(ModelScores s) {
        var m = new LinkedHashMap<String, Object>();
        m.put("model", s.model());
        m.put("loss", s.loss());
        m.put("flip", s.flip());
        m.put("pairs", s.pairs());
        m.put("pairsMissingFace", s.pairsMissingFace());
        m.put("acc10", s.acc10());
        m.put("sd", s.sd());
        m.put("foldAccuracies", s.foldAccuracies());
        m.put("auc", s.auc());
        m.put("eer", s.eer());
        m.put("separation", s.separation());   // a record: its components, in order
        m.put("tarAtFar", s.tarAtFar());
        // the score of every pair, in the pair list's order (-1: a face missing): paired significance tests
        m.put("pairScores", rounded(s.pairScores()));
        var thresholds = new LinkedHashMap<String, Threshold>();
        s.thresholds().forEach((far, v) -> thresholds.put(far, new Threshold(v[0], v[1])));
        m.put("calibration", new Calibration(s.calibrationNegatives(), s.calibrationPositives(), thresholds, s.tail()));
        return m;
    }

    // report.json parts as records, so that their keys come out in this order on every run
    record Seconds(double align, Map<String, Double> embed, double total) {
    }

    record Threshold(double cosine, double tar) {
    }

    record Calibration(long negatives, long positives, Map<String, Threshold> thresholds,
                       java.util.List<dev.faceoff.model.ModelManifest.TailPoint> tail) {
    }

    private static String markdown(PairList pairs, int images, List<String> noFace, FaceSelection selection,
                                   List<ModelScores> results, double alignSeconds, double totalSeconds) {
        var md = new StringBuilder();
        md.append("# Evaluation on ").append(pairs.name()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d pairs in %d folds, %d images; face choice `%s`; faces found in %d/%d "
                        + "images. Alignment %.0fs, total %.0fs.%n%n", pairs.pairs().size(), pairs.folds(), images,
                selection.name().toLowerCase(Locale.ROOT), images - noFace.size(), images, alignSeconds, totalSeconds));
        md.append("| model | loss | flip | 10-fold acc ± sd | AUC | EER | TAR@1e-1 | TAR@1e-2 | TAR@1e-3 | TAR@1e-4 |"
                + " threshold @1e-3 | missing-face pairs |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ModelScores s : results) {
            double[] t3 = s.thresholds().get("1e-3");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f%% ± %.2f | %.4f | %.2f%% | %s | %s | %s | %s | %s | %d |%n",
                    s.model(), s.loss(), s.flip() ? "yes" : "no", 100 * s.acc10(), 100 * s.sd(), s.auc(), 100 * s.eer(),
                    pct(s.tarAtFar().get("1e-1")), pct(s.tarAtFar().get("1e-2")), pct(s.tarAtFar().get("1e-3")),
                    pct(s.tarAtFar().get("1e-4")), t3 == null ? "—" : String.format(Locale.ROOT, "%.4f", t3[0]),
                    s.pairsMissingFace()));
        }
        md.append("\nTAR@FAR on the official pairs (3,000 negatives: 1e-4 cannot be measured and shows —).\n\n");
        md.append("## Separation of the official pairs' cosine similarities\n\nd' = (mean same − mean different) / "
                + "√((sd same² + sd different²) / 2): the gap between the two distributions in units of their spread.\n\n"
                + "| model | flip | same: mean ± sd | different: mean ± sd | d' |\n|---|---|---|---|---|\n");
        for (ModelScores s : results) {
            var sep = s.separation();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.3f ± %.3f | %.3f ± %.3f | %.2f |%n", s.model(),
                    s.flip() ? "yes" : "no", sep.sameMean(), sep.sameSd(), sep.differentMean(), sep.differentSd(), sep.dPrime()));
        }
        md.append('\n');
        md.append("## Calibrated thresholds\n\nFrom every cross-identity pair among the images (negatives) and every "
                + "same-identity pair (positives); the threshold is the lowest cosine that accepts at most FAR × "
                + "negatives.\n\n| model | flip | negatives | FAR | threshold | TAR |\n|---|---|---|---|---|---|\n");
        for (ModelScores s : results) {
            s.thresholds().forEach((far, v) -> md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %s | %.4f | %.2f%% |%n",
                    s.model(), s.flip() ? "yes" : "no", s.calibrationNegatives(), far, v[0], 100 * v[1])));
        }
        md.append("\nRule for missing faces: a pair with an image where no face was found is scored −1, so it is "
                + "always rejected (a false reject when the pair is the same person).\n");
        if (!noFace.isEmpty()) {
            md.append("\nImages without a face (").append(noFace.size()).append("):\n\n");
            noFace.stream().limit(50).forEach(f -> md.append("- ").append(f).append('\n'));
            if (noFace.size() > 50) {
                md.append("- … and ").append(noFace.size() - 50).append(" more (see report.json)\n");
            }
        }
        return md.toString();
    }

    private static void plot(Path file, PairList pairs, List<ModelScores> results) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600)
                .title("ROC on " + pairs.name() + " (all cross-identity pairs of its images)")
                .xAxisTitle("false accept rate (log)").yAxisTitle("true accept rate").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        for (ModelScores s : results) {
            if (s.rocFar().length == 0) {
                continue;
            }
            String name = String.format(Locale.ROOT, "%s%s (acc %.2f%%, AUC %.4f)", s.model(), s.flip() ? " +flip" : "",
                    100 * s.acc10(), s.auc());
            XYSeries series = chart.addSeries(name, s.rocFar(), s.rocTar());
            series.setMarker(SeriesMarkers.NONE);
            if (s.flip()) {
                series.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{6f, 4f}, 0f));
            }
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "—" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
