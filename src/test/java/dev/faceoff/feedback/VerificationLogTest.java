package dev.faceoff.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Every decided verification is kept for feedback, experiment or not; a store that is down costs only the record. */
class VerificationLogTest {

    static final FeedbackProperties PROPERTIES = new FeedbackProperties(FeedbackProperties.Store.MEMORY, Duration.ofDays(1), 10);

    @Test
    void aVerificationOutsideAnyExperimentTakesFeedbackCountedForItsModel() {
        var store = new MemoryFeedbackStore(PROPERTIES, Clock.systemUTC());
        var log = new VerificationLog(store);
        log.record("outside", "none", "none", "copy-arcface", true, 0.81);
        log.record("inside", "losses", "cosface", "copy-cosface", false, 0.12);

        var counted = (FeedbackStore.Counted) store.label("outside", false);
        assertThat(counted.outcome()).isEqualTo(Outcome.FALSE_ACCEPT);
        assertThat(counted.verification().model()).isEqualTo("copy-arcface");
        assertThat(counted.verification().similarity()).isEqualTo(0.81);
        assertThat(store.counts("none")).containsExactlyEntriesOf(
                java.util.Map.of(new FeedbackStore.VariantModel("none", "copy-arcface"), new Confusion(0, 1, 0, 0)));
        assertThat(((FeedbackStore.Counted) store.label("inside", true)).outcome()).isEqualTo(Outcome.FALSE_REJECT);
        assertThat(store.counts("losses")).containsOnlyKeys(new FeedbackStore.VariantModel("cosface", "copy-cosface"));
    }

    @Test
    void aStoreThatIsDownCostsTheRecordNeverTheCall() throws Exception {
        int port;
        try (var free = new ServerSocket(0)) {
            port = free.getLocalPort();   // closed again: nothing listens there
        }
        var factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        try {
            var template = new StringRedisTemplate(factory);
            template.afterPropertiesSet();
            var store = new RedisFeedbackStore(template, PROPERTIES);
            var verification = new FeedbackStore.Verification("v", "none", "none", "m", true, 0.9, java.time.Instant.now());
            assertThatThrownBy(() -> store.record(verification)).as("the store itself fails").isInstanceOf(RuntimeException.class);

            new VerificationLog(store).record("v", "none", "none", "m", true, 0.9);
        } finally {
            factory.destroy();
        }
    }
}
