package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class VerificationMetricsTest {

    @Test
    void perfectSeparation() {
        double[] s = {0.9, 0.8, 0.7, 0.2, 0.1, 0.0};
        boolean[] same = {true, true, true, false, false, false};
        assertThat(VerificationMetrics.auc(s, same)).isEqualTo(1.0);
        double t = VerificationMetrics.bestThreshold(s, same);
        assertThat(t).isEqualTo(0.45, within(1e-12));   // midpoint between 0.7 and 0.2
        assertThat(VerificationMetrics.eer(VerificationMetrics.roc(s, same))).isEqualTo(0.0);
    }

    @Test
    void allScoresTiedGiveChanceAucAndHalfAccuracy() {
        double[] s = {0.5, 0.5, 0.5, 0.5};
        boolean[] same = {true, false, true, false};
        assertThat(VerificationMetrics.auc(s, same)).isEqualTo(0.5);
        var roc = VerificationMetrics.roc(s, same);
        assertThat(roc.far()).containsExactly(0.0, 1.0);
        assertThat(roc.tar()).containsExactly(0.0, 1.0);
        assertThat(VerificationMetrics.eer(roc)).isEqualTo(0.5, within(1e-12));
    }

    @Test
    void aucCountsTiesAsHalf() {
        // positives 0.8, 0.5; negatives 0.5, 0.2 → pairs: (0.8>0.5) 1, (0.8>0.2) 1, (0.5=0.5) ½, (0.5>0.2) 1 = 3.5/4
        double[] s = {0.8, 0.5, 0.5, 0.2};
        boolean[] same = {true, true, false, false};
        assertThat(VerificationMetrics.auc(s, same)).isEqualTo(3.5 / 4);
    }

    @Test
    void allPairsTheSamePersonHaveNoAucButFullAccuracy() {
        double[] s = {0.3, 0.6};
        boolean[] same = {true, true};
        assertThat(VerificationMetrics.auc(s, same)).isNaN();
        double t = VerificationMetrics.bestThreshold(s, same);
        assertThat(t).isLessThanOrEqualTo(0.3);
    }

    @Test
    void kFoldChoosesTheThresholdOnTheOtherFolds() {
        // fold 0 gets its threshold (0.35) from folds 1 and 2, where it separates perfectly; folds 1 and 2 get 0.55
        // (the first of two equally accurate cuts from the top) from the others
        double[] s = {0.6, 0.5, 0.4, 0.3, /* fold 1 */ 0.9, 0.4, 0.3, 0.1, /* fold 2 */ 0.8, 0.45, 0.25, 0.0};
        boolean[] same = {true, false, false, false, true, true, false, false, true, true, false, false};
        int[] fold = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
        var result = VerificationMetrics.kFoldAccuracy(s, same, fold, 3);
        assertThat(result.thresholds()[0]).isEqualTo(0.35, within(1e-12));
        assertThat(result.folds()[0]).isEqualTo(0.5);   // 0.6 ✓, 0.5 ✗(different), 0.4 ✗(different), 0.3 ✓
        assertThat(result.thresholds()[1]).isEqualTo(0.55, within(1e-12));
        assertThat(result.folds()[1]).isEqualTo(0.75);  // 0.4 (same) now falls below the threshold
        assertThat(result.folds()[2]).isEqualTo(0.75);  // 0.45 (same) too
        double mean = 2.0 / 3;
        assertThat(result.mean()).isEqualTo(mean, within(1e-12));
        double sd = Math.sqrt(((0.5 - mean) * (0.5 - mean) + 2 * (0.75 - mean) * (0.75 - mean)) / 3);
        assertThat(result.sd()).isEqualTo(sd, within(1e-12));
    }

    @Test
    void thresholdAtFarAcceptsAtMostThatShareOfNegatives() {
        double[] negatives = new double[1000];
        for (int i = 0; i < negatives.length; i++) {
            negatives[i] = i / 1000.0;     // 0.000 … 0.999
        }
        double t = VerificationMetrics.thresholdAtFar(negatives, 1e-2);
        assertThat(VerificationMetrics.rateAtOrAbove(negatives, t)).isEqualTo(0.01);   // 0.990 … 0.999
        assertThat(t).isGreaterThan(0.989).isLessThanOrEqualTo(0.990);
        assertThat(VerificationMetrics.thresholdAtFar(negatives, 1e-4)).isNaN();       // 1,000 negatives cannot measure 1e-4
        double t3 = VerificationMetrics.thresholdAtFar(negatives, 1e-3);
        assertThat(VerificationMetrics.rateAtOrAbove(negatives, t3)).isEqualTo(0.001);
        float[] sorted = new float[1000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i / 1000f;
        }
        assertThat(VerificationMetrics.thresholdAtFarSorted(sorted, 1e-2)).isGreaterThan(0.989).isLessThanOrEqualTo(0.990);
    }

    @Test
    void tiedNegativesAtTheCutAreAllRejected() {
        double[] negatives = {0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        double t = VerificationMetrics.thresholdAtFar(negatives, 0.2);     // 2 allowed, but 3 tie at 0.9
        assertThat(VerificationMetrics.rateAtOrAbove(negatives, t)).isZero();
    }

    @Test
    void separationIsTheGapInUnitsOfSpread() {
        var sep = VerificationMetrics.separation(new double[]{0.8, 0.6}, new double[]{0.2, 0.0});
        assertThat(sep.sameMean()).isCloseTo(0.7, within(1e-12));
        assertThat(sep.sameSd()).isCloseTo(0.1, within(1e-12));
        assertThat(sep.differentMean()).isCloseTo(0.1, within(1e-12));
        assertThat(sep.differentSd()).isCloseTo(0.1, within(1e-12));
        assertThat(sep.dPrime()).isCloseTo(6.0, within(1e-9));
        // unequal spreads: sqrt((0.3^2 + 0.1^2) / 2) = sqrt(0.05)
        var wide = VerificationMetrics.separation(new double[]{1.0, 0.4}, new double[]{0.2, 0.0});
        assertThat(wide.dPrime()).isCloseTo(0.6 / Math.sqrt(0.05), within(1e-9));
        assertThat(VerificationMetrics.separation(new double[]{0.5}, new double[]{0.5}).dPrime()).isNaN();
    }

    /**
     * The cross-language fixture (written by {@code python3 -m training.metrics_fixture} from training/metrics.py):
     * scores with ties across the classes; Java must give the very same numbers, bit for bit.
     */
    @Test
    void reproducesThePythonDefinitionOnScoresWithTies() throws Exception {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/accuracy/scores.json")) {
            fixture = JsonMapper.builder().build().readTree(in);
        }
        int n = fixture.get("scores").size();
        double[] scores = new double[n];
        boolean[] same = new boolean[n];
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            scores[i] = fixture.get("scores").get(i).asDouble();
            same[i] = fixture.get("same").get(i).asBoolean();
            fold[i] = fixture.get("fold").get(i).asInt();
        }
        double best = VerificationMetrics.bestThreshold(scores, same);
        assertThat(best).isEqualTo(fixture.get("bestThreshold").asDouble());
        assertThat(VerificationMetrics.accuracyAt(scores, same, best)).isEqualTo(fixture.get("accuracyAtBest").asDouble());
        assertThat(fixture.get("accuracyAt").size()).as("thresholds at tied scores").isPositive();
        for (JsonNode at : fixture.get("accuracyAt")) {
            assertThat(VerificationMetrics.accuracyAt(scores, same, at.get("threshold").asDouble()))
                    .as("accuracy at %s", at.get("threshold")).isEqualTo(at.get("accuracy").asDouble());
        }
        JsonNode k = fixture.get("kFold");
        var folds = VerificationMetrics.kFoldAccuracy(scores, same, fold, k.get("folds").asInt());
        assertThat(folds.mean()).isEqualTo(k.get("mean").asDouble());
        for (int f = 0; f < folds.folds().length; f++) {
            assertThat(folds.folds()[f]).isEqualTo(k.get("accuracies").get(f).asDouble());
            assertThat(folds.thresholds()[f]).isEqualTo(k.get("thresholds").get(f).asDouble());
        }
        double[] positives = java.util.stream.IntStream.range(0, n).filter(i -> same[i]).mapToDouble(i -> scores[i]).toArray();
        double[] negatives = java.util.stream.IntStream.range(0, n).filter(i -> !same[i]).mapToDouble(i -> scores[i]).toArray();
        for (JsonNode at : fixture.get("atFar")) {
            double far = at.get("far").asDouble();
            assertThat(VerificationMetrics.thresholdAtFar(negatives, far)).as("threshold at FAR %s", far)
                    .isEqualTo(at.get("threshold").asDouble());
            assertThat(VerificationMetrics.tarAtFar(positives, negatives, far)).as("TAR at FAR %s", far)
                    .isEqualTo(at.get("tar").asDouble());
        }
    }
}
