package dev.faceoff.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The Redis store on a real redis-server: the contract, plus two replicas sharing records and counts. */
class RedisFeedbackStoreTest extends FeedbackStoreContract {

    static RedisServer redis;
    final List<LettuceConnectionFactory> connections = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void flush() {
        if (!connections.isEmpty()) {
            template(connections.get(0)).execute((org.springframework.data.redis.core.RedisCallback<Void>) c -> {
                c.serverCommands().flushAll();
                return null;
            });
        }
        connections.forEach(LettuceConnectionFactory::destroy);
        connections.clear();
    }

    /** A store with its own connection: what one replica has. */
    @Override
    FeedbackStore store(Duration ttl) {
        var factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        connections.add(factory);
        return new RedisFeedbackStore(template(factory), new FeedbackProperties(FeedbackProperties.Store.REDIS, ttl, 1000));
    }

    private static StringRedisTemplate template(LettuceConnectionFactory factory) {
        var template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    @Test
    void anyReplicaTakesFeedbackForAnyVerificationAndEveryReplicaSeesTheCounts() {
        FeedbackStore a = store(Duration.ofDays(7));
        FeedbackStore b = store(Duration.ofDays(7));
        a.record(verification("from-a", "arcface", true, 0.8));
        b.record(verification("from-b", "cosface", false, 0.1));
        assertThat(((FeedbackStore.Counted) b.label("from-a", false)).outcome()).isEqualTo(Outcome.FALSE_ACCEPT);
        assertThat(((FeedbackStore.Counted) a.label("from-b", false)).outcome()).isEqualTo(Outcome.TRUE_REJECT);
        assertThat(a.label("from-a", false)).isInstanceOf(FeedbackStore.AlreadyLabelled.class);
        assertThat(a.counts("losses")).isEqualTo(b.counts("losses"));
        assertThat(a.counts("losses").get(new FeedbackStore.VariantModel("arcface", "arcface-model")))
                .isEqualTo(new Confusion(0, 1, 0, 0));
        assertThat(a.scope()).isEqualTo("fleet");
    }

    @Test
    void recordsCarryATtlAndNoImageOrEmbedding() {
        FeedbackStore store = store(Duration.ofHours(1));
        store.record(verification("ttl", "arcface", true, 0.8));
        var template = template(connections.get(0));
        Long ttl = template.getExpire(RedisFeedbackStore.RECORD_PREFIX + "ttl");
        assertThat(ttl).isBetween(3500L, 3600L);
        assertThat(template.<String, String>opsForHash().keys(RedisFeedbackStore.RECORD_PREFIX + "ttl"))
                .containsExactlyInAnyOrder("e", "v", "m", "d", "s", "t");
    }
}
