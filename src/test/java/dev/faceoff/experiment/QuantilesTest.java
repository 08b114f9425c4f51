package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantilesTest {

    @Test
    void linearInterpolationBetweenClosestRanks() {
        double[] v = {5, 1, 4, 2, 3};
        assertThat(Quantiles.of(v, 0.5)).isEqualTo(3.0);
        assertThat(Quantiles.of(v, 0.25)).isEqualTo(2.0);
        assertThat(Quantiles.of(v, 0.0)).isEqualTo(1.0);
        assertThat(Quantiles.of(v, 1.0)).isEqualTo(5.0);
        assertThat(Quantiles.of(new double[]{1, 2, 3, 4}, 0.5)).isEqualTo(2.5);
        // NumPy: np.quantile([1, 2, 3, 4], 0.95) = 3.85
        assertThat(Quantiles.of(new double[]{1, 2, 3, 4}, 0.95)).isCloseTo(3.85, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Quantiles.of(new double[]{7}, 0.95)).isEqualTo(7.0);
        assertThat(Quantiles.of(new double[0], 0.5)).isNaN();
        assertThat(Quantiles.of(v, 0.25, 0.5, 0.75)).containsExactly(2.0, 3.0, 4.0);
        assertThat(v).containsExactly(5, 1, 4, 2, 3);   // the input is left as it was
    }

    @Test
    void aWindowKeepsTheLatestValues() {
        var window = new SampleWindow(3);
        assertThat(window.snapshot()).isEmpty();
        for (int i = 1; i <= 5; i++) {
            window.add(i);
        }
        assertThat(window.snapshot()).containsExactlyInAnyOrder(3, 4, 5);
    }
}
