package dev.faceoff.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faceoff.model.IdentificationThreshold.Coverage;
import dev.faceoff.model.ModelManifest.TailPoint;

class IdentificationThresholdTest {

    private static final List<TailPoint> TAIL = List.of(
            new TailPoint(1e-2, 0.20), new TailPoint(1e-3, 0.30), new TailPoint(1e-4, 0.40));

    @Test
    void thePerComparisonFarGivesTheTargetFpirOverTheGallery() {
        // p = 1 − (1 − FPIR)^(1/N), the values from 40-digit decimal arithmetic (Python's decimal: 1 - D('0.99') ** (1 / D(n))):
        // FPIR 1e-2 at N = 1,000 → 1.00502853e-5, at N = 100,000 → 1.00503353e-7
        assertThat(IdentificationThreshold.perComparisonFar(1e-2, 1_000)).isCloseTo(1.0050285349045253e-5, within(1e-18));
        assertThat(IdentificationThreshold.perComparisonFar(1e-2, 100_000)).isCloseTo(1.0050335348455204e-7, within(1e-20));
        for (long n : new long[]{1, 7, 1_000, 100_000, 10_000_000}) {
            double p = IdentificationThreshold.perComparisonFar(1e-2, n);
            // and back: 1 − (1 − p)^N, in logs so that a tiny p survives
            assertThat(-Math.expm1(n * Math.log1p(-p))).isCloseTo(1e-2, within(1e-15));
        }
        assertThat(IdentificationThreshold.perComparisonFar(0.05, 1)).isCloseTo(0.05, within(1e-17));
    }

    @Test
    void aFpirOutsideZeroToOneOrAnEmptyGalleryIsRefused() {
        assertThatThrownBy(() -> IdentificationThreshold.perComparisonFar(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdentificationThreshold.perComparisonFar(1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdentificationThreshold.perComparisonFar(Double.NaN, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdentificationThreshold.perComparisonFar(1e-2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one subject");
    }

    @Test
    void betweenTwoPointsTheThresholdIsLinearInLogFar() {
        // FPIR such that p = 10^-2.5 at N = 1: halfway between 1e-2 and 1e-3 in log FAR
        double p = Math.pow(10, -2.5);
        var t = IdentificationThreshold.of(TAIL, p, 1);
        assertThat(t.far()).isCloseTo(p, within(1e-15));
        assertThat(t.cosine()).isCloseTo(0.25, within(1e-9));
        assertThat(t.coverage()).isEqualTo(Coverage.CALIBRATED);
        assertThat(t.beyondCalibration()).isFalse();
        // a quarter of the way down the next decade
        assertThat(IdentificationThreshold.of(TAIL, Math.pow(10, -3.25), 1).cosine()).isCloseTo(0.325, within(1e-9));
    }

    @Test
    void onAPointItsOwnThresholdAtTheEndsTooAndNOfOneIsVerification() {
        var n1 = IdentificationThreshold.of(TAIL, 1e-2, 1);   // a gallery of one: p = FPIR, the shallowest point
        assertThat(n1.cosine()).isCloseTo(0.20, within(1e-12));
        assertThat(n1.coverage()).isEqualTo(Coverage.CALIBRATED);
        assertThat(IdentificationThreshold.of(TAIL, 1e-3, 1).cosine()).isCloseTo(0.30, within(1e-9));
        var deepest = IdentificationThreshold.of(TAIL, 1e-4, 1);
        assertThat(deepest.cosine()).isCloseTo(0.40, within(1e-9));
        assertThat(deepest.coverage()).isEqualTo(Coverage.CALIBRATED);
    }

    @Test
    void belowTheDeepestPointTheDeepestThresholdBeyondCalibration() {
        // FPIR 1e-2 over 1,000 subjects needs p ≈ 1e-5, a decade below the deepest point
        var t = IdentificationThreshold.of(TAIL, 1e-2, 1_000);
        assertThat(t.far()).isCloseTo(1.005e-5, within(1e-8));
        assertThat(t.cosine()).isEqualTo(0.40);
        assertThat(t.coverage()).isEqualTo(Coverage.BEYOND_CALIBRATION);
        assertThat(t.beyondCalibration()).isTrue();
        assertThat(t.gallerySize()).isEqualTo(1_000);
        assertThat(t.fpir()).isEqualTo(1e-2);
    }

    @Test
    void aboveTheShallowestPointTheShallowestThresholdStricterThanNeeded() {
        var t = IdentificationThreshold.of(TAIL, 0.05, 1);
        assertThat(t.cosine()).isEqualTo(0.20);
        assertThat(t.coverage()).isEqualTo(Coverage.ABOVE_CALIBRATION);
        assertThat(t.beyondCalibration()).isFalse();
    }

    @Test
    void aModelWithoutATailCannotIdentifyAndOneWithATailReadsItStrictly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        Files.writeString(file, ManifestTest.JSON);
        assertThat(ModelLoader.readManifest(file).identificationThreshold(1e-2, 1_000)).isEmpty();

        String withTail = ManifestTest.JSON.replace("\"alignment\": \"arcface-112-5pt\",", """
                "alignment": "arcface-112-5pt",
                "identification": {"dataset": "lfw", "impostorPairs": 29640749, "calibrated": "2026-12-07",
                  "tail": [{"far": 1e-4, "cosine": 0.4}, {"far": 1e-2, "cosine": 0.2}, {"far": 1e-3, "cosine": 0.3}]},""");
        Files.writeString(file, withTail);
        ModelManifest m = ModelLoader.readManifest(file);
        assertThat(m.identification().tail()).extracting(TailPoint::far).containsExactly(1e-2, 1e-3, 1e-4);
        assertThat(m.identificationThreshold(1e-2, 1).orElseThrow().cosine()).isCloseTo(0.20, within(1e-12));
        assertThat(m.identificationThreshold(1e-2, 100_000).orElseThrow().beyondCalibration()).isTrue();
        assertThat(ManifestValidator.tailProblems(m.identification())).isEmpty();

        Files.writeString(file, withTail.replace("\"impostorPairs\"", "\"impostor_pairs\""));
        assertThatThrownBy(() -> ModelLoader.readManifest(file)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown key 'identification.impostor_pairs'");
    }

    @Test
    void theValidatorRefusesATailThatCannotBeInterpolated() {
        assertThat(ManifestValidator.tailProblems(new ModelManifest.Identification("lfw", 10L, List.of(), null)))
                .containsExactly("identification.tail has no points");
        assertThat(ManifestValidator.tailProblems(new ModelManifest.Identification("lfw", 10L, List.of(
                new TailPoint(1e-2, 0.3), new TailPoint(1e-3, 0.2)), null)))
                .singleElement().asString().contains("below the one at the larger far 0.01");
        assertThat(ManifestValidator.tailProblems(new ModelManifest.Identification("lfw", 10L, List.of(
                new TailPoint(0, 0.3)), null))).singleElement().asString().contains("(0, 1)");
        assertThat(ManifestValidator.tailProblems(new ModelManifest.Identification("lfw", 10L, List.of(
                new TailPoint(1e-3, 0.3), new TailPoint(1e-3, 0.3)), null))).singleElement().asString().contains("twice");
    }
}
