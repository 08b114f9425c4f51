package dev.faceoff.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.faceoff.feedback.FeedbackStore.AlreadyLabelled;
import dev.faceoff.feedback.FeedbackStore.Counted;
import dev.faceoff.feedback.FeedbackStore.Unknown;
import dev.faceoff.feedback.FeedbackStore.VariantModel;
import dev.faceoff.feedback.FeedbackStore.Verification;

/** What every feedback store must do, run against the memory store and a real Redis. */
abstract class FeedbackStoreContract {

    /** A fresh, empty store whose verifications live {@code ttl}. */
    abstract FeedbackStore store(Duration ttl);

    static Verification verification(String id, String variant, boolean match, double similarity) {
        return new Verification(id, "losses", variant, variant + "-model", match, similarity, Instant.now());
    }

    @Test
    void feedbackTurnsDecisionsIntoConfusionCountsOncePerVerification() {
        FeedbackStore store = store(Duration.ofDays(7));
        store.record(verification("v1", "arcface", true, 0.81));
        store.record(verification("v2", "arcface", true, 0.42));
        store.record(verification("v3", "arcface", false, 0.12));
        store.record(verification("v4", "arcface", false, 0.30));
        store.record(verification("v5", "cosface", true, 0.77));

        Counted v1 = (Counted) store.label("v1", true);
        assertThat(v1.outcome()).isEqualTo(Outcome.TRUE_ACCEPT);
        assertThat(v1.verification()).usingRecursiveComparison().ignoringFields("at")
                .isEqualTo(verification("v1", "arcface", true, 0.81));
        assertThat(Duration.between(v1.verification().at(), Instant.now())).isBetween(Duration.ZERO, Duration.ofMinutes(1));
        assertThat(((Counted) store.label("v5", true)).outcome()).isEqualTo(Outcome.TRUE_ACCEPT);
        assertThat(store.label("v2", false)).isInstanceOf(Counted.class)
                .extracting(l -> ((Counted) l).outcome()).isEqualTo(Outcome.FALSE_ACCEPT);
        assertThat(((Counted) store.label("v3", false)).outcome()).isEqualTo(Outcome.TRUE_REJECT);
        Counted v4 = (Counted) store.label("v4", true);
        assertThat(v4.outcome()).isEqualTo(Outcome.FALSE_REJECT);
        assertThat(v4.verification().similarity()).isEqualTo(0.30);
        assertThat(v4.verification().model()).isEqualTo("arcface-model");

        // the same id again, even with the other truth: nothing counted, the first outcome stands
        var again = store.label("v2", true);
        assertThat(again).isInstanceOf(AlreadyLabelled.class);
        assertThat(((AlreadyLabelled) again).outcome()).isEqualTo(Outcome.FALSE_ACCEPT);

        var counts = store.counts("losses");
        assertThat(counts.get(new VariantModel("arcface", "arcface-model"))).isEqualTo(new Confusion(1, 1, 1, 1));
        assertThat(counts.get(new VariantModel("cosface", "cosface-model"))).isEqualTo(new Confusion(1, 0, 0, 0));
        assertThat(store.counts("no-such-experiment")).isEmpty();
    }

    @Test
    void anUnknownIdIsUnknown() {
        assertThat(store(Duration.ofDays(7)).label("never-recorded", true)).isInstanceOf(Unknown.class);
    }

    @Test
    void anExpiredVerificationIsUnknown() throws Exception {
        // the fresh record lives for days: a slow machine cannot expire it between record and label
        FeedbackStore shortLived = store(Duration.ofMillis(300));
        FeedbackStore longLived = store(Duration.ofDays(7));
        shortLived.record(verification("old", "arcface", true, 0.9));
        Thread.sleep(600);
        longLived.record(verification("new", "arcface", true, 0.9));
        assertThat(shortLived.label("old", true)).isInstanceOf(Unknown.class);
        assertThat(longLived.label("new", true)).isInstanceOf(Counted.class);
    }

    @Test
    void concurrentFeedbackForOneVerificationIsCountedOnce() throws Exception {
        FeedbackStore store = store(Duration.ofDays(7));
        store.record(verification("race", "arcface", false, 0.2));
        var pool = Executors.newFixedThreadPool(8);
        try {
            var tasks = new ArrayList<Callable<FeedbackStore.Labelling>>();
            for (int i = 0; i < 16; i++) {
                tasks.add(() -> store.label("race", false));
            }
            List<FeedbackStore.Labelling> results = new ArrayList<>();
            for (var f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(Counted.class::isInstance).hasSize(1);
            assertThat(results).filteredOn(AlreadyLabelled.class::isInstance).hasSize(15);
        } finally {
            pool.shutdown();
        }
        assertThat(store.counts("losses").get(new VariantModel("arcface", "arcface-model")))
                .isEqualTo(new Confusion(0, 0, 1, 0));
    }
}
