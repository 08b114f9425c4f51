package dev.faceoff.identification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class OpenSetMetricsTest {

    private static OpenSetMetrics.Probe mated(boolean right, double top) {
        return new OpenSetMetrics.Probe(true, right, top);
    }

    private static OpenSetMetrics.Probe stranger(double top) {
        return new OpenSetMetrics.Probe(false, false, top);
    }

    /** 200 non-mated probes with top scores 0.001 … 0.200: at FPIR 1% two may pass, so the third highest is rejected. */
    private static List<OpenSetMetrics.Probe> strangers() {
        var probes = new ArrayList<OpenSetMetrics.Probe>();
        for (int i = 1; i <= 200; i++) {
            probes.add(stranger(i / 1000.0));
        }
        return probes;
    }

    @Test
    void thresholdAtFpirLetsThroughAtMostThatShareOfStrangers() {
        var probes = strangers();
        double t = OpenSetMetrics.thresholdAtFpir(probes, 0.01);
        assertThat(t).isGreaterThan(0.198).isLessThanOrEqualTo(0.199);
        assertThat(OpenSetMetrics.fpir(probes, t)).isEqualTo(0.01);
        assertThat(OpenSetMetrics.fpir(probes, 0.198)).isEqualTo(0.015);
    }

    @Test
    void tooFewStrangersCannotMeasureTheRate() {
        assertThat(OpenSetMetrics.thresholdAtFpir(List.of(stranger(0.1), stranger(0.2)), 0.01)).isNaN();
    }

    @Test
    void dirCountsMatedProbesFirstAndAboveTheThreshold() {
        var probes = new ArrayList<>(strangers());
        probes.add(mated(true, 0.9));           // found
        probes.add(mated(true, 0.19));          // right subject, below the threshold
        probes.add(mated(false, 0.95));         // above, the wrong subject first
        probes.add(OpenSetMetrics.Probe.noFace(true));   // no face: a miss
        double t = OpenSetMetrics.thresholdAtFpir(probes, 0.01);
        assertThat(OpenSetMetrics.dir(probes, t)).isEqualTo(0.25);
        assertThat(OpenSetMetrics.dir(probes, 0.1)).isEqualTo(0.5);
        // mated probes do not move the strangers' threshold
        assertThat(t).isEqualTo(OpenSetMetrics.thresholdAtFpir(strangers(), 0.01));
    }

    @Test
    void aStrangerWithNoFaceIsRejectedButCounted() {
        var probes = new ArrayList<>(strangers());
        probes.add(OpenSetMetrics.Probe.noFace(false));
        assertThat(OpenSetMetrics.fpir(probes, 0.2)).isEqualTo(1.0 / 201);
    }

    @Test
    void spreadIsMeanLessTheSampleStandardDeviation() {
        var spread = OpenSetMetrics.Spread.of(new double[]{0.90, 0.94, 0.98});
        assertThat(spread.mean()).isCloseTo(0.94, within(1e-12));
        assertThat(spread.std()).isCloseTo(0.04, within(1e-12));     // n − 1: sqrt((0.0016 + 0 + 0.0016) / 2)
        assertThat(spread.meanMinusStd()).isCloseTo(0.90, within(1e-12));
        assertThat(OpenSetMetrics.Spread.of(new double[]{0.5}).meanMinusStd()).isEqualTo(0.5);
    }

    @Test
    void verificationRateOverEveryPairOfTheTestSet() {
        // unit vectors at angles; subjects 1 (0°, 10°), 2 (90°, 130°), 3 (180°): genuine cos 10° and cos 40°; of the 8
        // impostor pairs the highest are cos 50° (130°, 180°) and cos 80° (10°, 90°): at FAR 1/8 one passes
        float[][] v = {unit(0), unit(10), unit(90), unit(130), unit(180)};
        int[] labels = {1, 1, 2, 2, 3};
        assertThat(OpenSetMetrics.verificationRate(v, labels, 0.125)).isEqualTo(1.0);
        // subject 2 at (60°, 180°), subject 3 at 170°: genuine cos 120° lies below the second impostor, cos 50°
        float[][] apart = {unit(0), unit(10), unit(60), unit(180), unit(170)};
        assertThat(OpenSetMetrics.verificationRate(apart, labels, 0.125)).isEqualTo(0.5);
        // fewer impostor pairs than 1 / FAR: not measurable
        assertThat(OpenSetMetrics.verificationRate(v, labels, 0.1)).isNaN();
    }

    @Test
    void aTestSetDrawnFromPairsScoredOnceScoresAsItsOwnVectors() {
        var random = new java.util.Random(7);
        int n = 60;
        float[][] all = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / 3;
            all[i] = i % 17 == 5 ? null : unit(labels[i] * 7 + random.nextGaussian() * 6);
        }
        int[] members = {41, 3, 7, 8, 12, 13, 14, 22, 23, 30, 31, 32, 40, 5, 50, 51, 59, 58, 1, 2};
        java.util.Arrays.sort(members);
        float[][] own = new float[members.length][];
        int[] ownLabels = new int[members.length];
        for (int k = 0; k < members.length; k++) {
            own[k] = all[members[k]];
            ownLabels[k] = labels[members[k]];
        }
        var pairs = OpenSetMetrics.AllPairs.of(all);
        assertThat(pairs.score(3, 41)).isEqualTo(dev.faceoff.gallery.GalleryStore.similarity(all[3], all[41]));
        for (double far : new double[]{0.01, 0.05, 0.2}) {
            assertThat(OpenSetMetrics.verificationRate(pairs, members, labels, far))
                    .isEqualTo(OpenSetMetrics.verificationRate(own, ownLabels, far));
        }
    }

    @Test
    void anImageWithNoFaceMissesItsGenuinePairs() {
        float[][] v = {unit(0), null, unit(90), unit(95), unit(180)};
        int[] labels = {1, 1, 2, 2, 3};
        assertThat(OpenSetMetrics.verificationRate(v, labels, 0.125)).isEqualTo(0.5);
    }

    private static float[] unit(double degrees) {
        double r = Math.toRadians(degrees);
        return new float[]{(float) Math.cos(r), (float) Math.sin(r)};
    }
}
