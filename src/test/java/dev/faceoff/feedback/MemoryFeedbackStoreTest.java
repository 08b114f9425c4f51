package dev.faceoff.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class MemoryFeedbackStoreTest extends FeedbackStoreContract {

    @Override
    FeedbackStore store(Duration ttl) {
        return new MemoryFeedbackStore(new FeedbackProperties(FeedbackProperties.Store.MEMORY, ttl, 1000), Clock.systemUTC());
    }

    @Test
    void keepsAtMostMaxEntriesDroppingTheOldest() {
        var store = new MemoryFeedbackStore(new FeedbackProperties(FeedbackProperties.Store.MEMORY, Duration.ofDays(1), 3),
                Clock.systemUTC());
        for (int i = 1; i <= 5; i++) {
            store.record(verification("v" + i, "arcface", true, 0.9));
        }
        assertThat(store.label("v1", true)).isInstanceOf(FeedbackStore.Unknown.class);
        assertThat(store.label("v2", true)).isInstanceOf(FeedbackStore.Unknown.class);
        assertThat(store.label("v3", true)).isInstanceOf(FeedbackStore.Counted.class);
        assertThat(store.label("v5", true)).isInstanceOf(FeedbackStore.Counted.class);
        assertThat(store.scope()).isEqualTo("instance");
    }
}
