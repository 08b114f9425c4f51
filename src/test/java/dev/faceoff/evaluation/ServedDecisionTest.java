package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** FRR and FAR at the served threshold, on hand-made pairs whose every decision is known. */
class ServedDecisionTest {

    @Test
    void countsRefusedGenuineAndAcceptedImpostorPairsAtTheThreshold() {
        var pairs = List.of(
                new PairList.Pair("a", "b", true, 0),    // 0.50 >= 0.4: accepted
                new PairList.Pair("a", "c", true, 0),    // 0.40 >= 0.4: accepted (at the threshold counts as a match)
                new PairList.Pair("a", "d", true, 1),    // 0.39: a false reject
                new PairList.Pair("e", "f", true, 1),    // -1, a face missing: a false reject
                new PairList.Pair("a", "e", false, 0),   // 0.45: a false accept
                new PairList.Pair("b", "e", false, 1));  // 0.10: rejected
        var d = ServedDecision.of("m", false, 0.4, "lfw", pairs, new double[]{0.5, 0.4, 0.39, -1, 0.45, 0.1});
        assertThat(d.same()).isEqualTo(4);
        assertThat(d.different()).isEqualTo(2);
        assertThat(d.falseRejects()).isEqualTo(2);
        assertThat(d.falseAccepts()).isEqualTo(1);
        assertThat(d.frr()).isEqualTo(0.5);
        assertThat(d.far()).isEqualTo(0.5);
    }

    @Test
    void scoresMustMatchThePairs() {
        assertThatThrownBy(() -> ServedDecision.of("m", false, 0.4, "lfw", List.of(new PairList.Pair("a", "b", true, 0)),
                new double[2])).isInstanceOf(IllegalArgumentException.class);
    }
}
