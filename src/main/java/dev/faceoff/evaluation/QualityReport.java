package dev.faceoff.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The quality sweep's section of report.md: decisions at the served threshold, and what min_quality refuses. */
final class QualityReport {

    private QualityReport() {
    }

    static String markdown(List<QualitySweep> sweeps) {
        var md = new StringBuilder();
        for (QualitySweep s : sweeps) {
            var first = s.rows().get(0);
            md.append(String.format(Locale.ROOT, "%n## At the served threshold: %s%s%n%nThreshold %.4f (FAR %s calibrated on %s);"
                            + " %d pairs with both faces, %d wrong: FAR %s, FRR %s, accuracy %s. Over every cross-identity "
                            + "pair of the images (%,d): FAR %s.%n%n", s.model(), s.flip() ? " +flip" : "", s.threshold(),
                    ModelScores.farKey(s.far()), s.thresholdDataset(), s.pairs(), s.errors(), sci(first.farKept()),
                    pct(first.frrKept()), pct(first.accuracyKept()), s.allNegatives(), sci(s.allPairsFar())));
            String groups = String.join(" | ", first.imagesRejected().keySet().stream()
                    .map(g -> g + " images refused").toList());
            md.append("| min_quality | ").append(groups).append(" | pairs refused | errors refused | FAR kept | FRR kept "
                    + "| accuracy kept |\n|---|").append("---|".repeat(first.imagesRejected().size() + 5)).append('\n');
            for (QualitySweep.Row r : s.rows()) {
                md.append(String.format(Locale.ROOT, "| %.2f | %s | %s | %s | %s | %s | %s |%n", r.minQuality(),
                        r.imagesRejected().values().stream().map(QualityReport::pct).collect(Collectors.joining(" | ")),
                        pct(r.pairsRejected()), pct(r.errorsRejected()), sci(r.farKept()), pct(r.frrKept()),
                        pct(r.accuracyKept())));
            }
            s.halfTheErrors().ifPresent(r -> md.append(String.format(Locale.ROOT,
                    "%nThe lowest setting that refuses at least half of the wrong decisions: min_quality %.2f (%s of "
                            + "the errors, %s of the pairs).%n", r.minQuality(), pct(r.errorsRejected()),
                    pct(r.pairsRejected()))));
        }
        return md.toString();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1e", v);
    }
}
