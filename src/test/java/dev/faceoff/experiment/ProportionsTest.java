package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Wilson intervals, the two-proportion z-test and sample sizes against hand-computed cases. */
class ProportionsTest {

    static final double Z = Proportions.Z95;

    @Test
    void wilsonOfZeroErrorsInTenIsZeroToZSquaredOverNPlusZSquared() {
        // p = 0: centre = half-width = (z²/2n) / (1 + z²/n), so high = z² / (n + z²) = 3.8415 / 13.8415
        var ci = Proportions.wilson(0, 10, Z);
        assertThat(ci.low()).isEqualTo(0.0);
        assertThat(ci.high()).isCloseTo(Z * Z / (10 + Z * Z), within(1e-12)).isCloseTo(0.277533, within(1e-6));
    }

    @Test
    void wilsonOfHalfIsSymmetric() {
        // p = 0.5, n = 10: centre 0.5; half = z·sqrt(0.025 + z²/400) / (1 + z²/10) = 0.263407
        var ci = Proportions.wilson(5, 10, Z);
        assertThat(ci.low()).isCloseTo(0.236593, within(1e-6));
        assertThat(ci.high()).isCloseTo(0.763407, within(1e-6));
    }

    @Test
    void wilsonOfSmallRates() {
        var one = Proportions.wilson(1, 100, Z);
        assertThat(one.low()).isCloseTo(0.001767, within(1e-6));
        assertThat(one.high()).isCloseTo(0.054486, within(1e-6));
        var three = Proportions.wilson(3, 1000, Z);
        assertThat(three.low()).isCloseTo(0.001021, within(1e-6));
        assertThat(three.high()).isCloseTo(0.008783, within(1e-6));
        var all = Proportions.wilson(10, 10, Z);
        assertThat(all.low()).isCloseTo(0.722467, within(1e-6));
        assertThat(all.high()).isCloseTo(1.0, within(1e-12));
        assertThat(Proportions.wilson(0, 0, Z)).isEqualTo(new Proportions.Interval(0, 1));
    }

    @Test
    void twoProportionZTest() {
        // 30/1000 vs 10/1000: pooled 0.02, se = sqrt(0.02·0.98·0.002) = 0.0062610, z = 0.02 / se = 3.19438
        var t = Proportions.twoProportion(30, 1000, 10, 1000);
        assertThat(t.z()).isCloseTo(3.194383, within(1e-5));
        assertThat(t.p()).isCloseTo(0.001401, within(1e-5));
        assertThat(t.significant(0.05)).isTrue();
        var notYet = Proportions.twoProportion(12, 200, 5, 180);
        assertThat(notYet.z()).isCloseTo(1.517123, within(1e-5));
        assertThat(notYet.p()).isCloseTo(0.129236, within(1e-5));
        assertThat(notYet.significant(0.05)).isFalse();
        assertThat(Proportions.twoProportion(0, 100, 0, 100)).isEqualTo(new Proportions.ZTest(0, 1));
        assertThat(Proportions.twoProportion(1, 0, 0, 100)).isEqualTo(new Proportions.ZTest(0, 1));
    }

    @Test
    void normalTailMatchesKnownQuantiles() {
        assertThat(Proportions.upperTail(Z)).isCloseTo(0.025, within(1e-7));
        assertThat(Proportions.upperTail(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Proportions.upperTail(Proportions.Z_POWER80)).isCloseTo(0.2, within(1e-7));
        assertThat(Proportions.upperTail(-1.6448536269514722)).isCloseTo(0.95, within(1e-7));
    }

    @Test
    void sampleSizeForEightyPercentPower() {
        // n = (z.975·sqrt(2·p̄q̄) + z.8·sqrt(p1q1 + p2q2))² / (p1 - p2)²
        assertThat(Proportions.sampleSizePerGroup(0.03, 0.01)).isEqualTo(769);
        assertThat(Proportions.sampleSizePerGroup(0.05, 0.10)).isEqualTo(435);
        assertThat(Proportions.sampleSizePerGroup(0.02, 0.02)).isEqualTo(-1);
    }
}
