package dev.faceoff.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import dev.faceoff.feedback.Confusion;
import dev.faceoff.feedback.Outcome;

/** Decisions and truths → outcomes → FAR/FRR with Wilson intervals and z-tests, checked by hand. */
class FeedbackArithmeticTest {

    @Test
    void outcomesOfEveryDecisionAndTruth() {
        assertThat(Outcome.of(true, true)).isEqualTo(Outcome.TRUE_ACCEPT);
        assertThat(Outcome.of(true, false)).isEqualTo(Outcome.FALSE_ACCEPT);
        assertThat(Outcome.of(false, false)).isEqualTo(Outcome.TRUE_REJECT);
        assertThat(Outcome.of(false, true)).isEqualTo(Outcome.FALSE_REJECT);
        assertThat(Outcome.parse("false_reject")).isEqualTo(Outcome.FALSE_REJECT);
        assertThat(Outcome.FALSE_ACCEPT.label()).isEqualTo("false_accept");
    }

    @Test
    void farIsFalseAcceptsOverDifferentPersonPairsFrrFalseRejectsOverSamePersonPairs() {
        var c = Confusion.NONE.plus(Outcome.TRUE_ACCEPT, 40).plus(Outcome.FALSE_ACCEPT, 2)
                .plus(Outcome.TRUE_REJECT, 98).plus(Outcome.FALSE_REJECT, 10);
        assertThat(c).isEqualTo(new Confusion(40, 2, 98, 10));
        assertThat(c.impostorPairs()).isEqualTo(100);
        assertThat(c.genuinePairs()).isEqualTo(50);
        assertThat(c.far()).isEqualTo(0.02);
        assertThat(c.frr()).isEqualTo(0.2);
        assertThat(Confusion.NONE.far()).isNaN();
        assertThat(c.plus(c)).isEqualTo(new Confusion(80, 4, 196, 20));
    }

    @Test
    void reportRatesCarryWilsonIntervals() {
        // FRR 10/50: p = 0.2, z² = 3.8415; centre = (0.2 + 0.038415) / 1.076829 = 0.221404;
        // half = 1.96·sqrt(0.0032 + 0.000384) / 1.076829 = 0.108967 → [0.112438, 0.330371]
        var frr = ExperimentReport.Rate.of(10, 50);
        assertThat(frr.value()).isEqualTo(0.2);
        assertThat(frr.low()).isCloseTo(0.112438, within(2e-6));
        assertThat(frr.high()).isCloseTo(0.330371, within(2e-6));
        assertThat(frr.n()).isEqualTo(50);
        var none = ExperimentReport.Rate.of(0, 0);
        assertThat(none.value()).isNull();
        assertThat(none.low()).isZero();
        assertThat(none.high()).isEqualTo(1.0);
    }

    @Test
    void comparisonsSayWhetherTheDifferenceIsSignificantAndWhatIsStillNeeded() {
        // baseline FAR 10/1000, variant 30/1000: significant (p = 0.0014); 769 per variant were needed
        var significant = ExperimentReport.Test.of(10, 1000, 30, 1000);
        assertThat(significant.difference()).isEqualTo(0.02);
        assertThat(significant.z()).isCloseTo(3.194383, within(1e-5));
        assertThat(significant.pValue()).isCloseTo(0.001401, within(1e-5));
        assertThat(significant.significant()).isTrue();
        assertThat(significant.labelledPairsNeeded()).isEqualTo(769);
        assertThat(significant.moreLabelledPairsNeeded()).isZero();

        // 5/100 against 10/100: not yet; 435 per variant needed, 335 more
        var notYet = ExperimentReport.Test.of(5, 100, 10, 100);
        assertThat(notYet.significant()).isFalse();
        assertThat(notYet.labelledPairsNeeded()).isEqualTo(435);
        assertThat(notYet.moreLabelledPairsNeeded()).isEqualTo(335);

        var empty = ExperimentReport.Test.of(0, 0, 3, 10);
        assertThat(empty.difference()).isNull();
        assertThat(empty.significant()).isFalse();
        assertThat(empty.moreLabelledPairsNeeded()).isNull();
    }
}
