package dev.faceoff.feedback;

import java.time.Clock;

import io.lettuce.core.ClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The feedback store named by {@code faceoff.feedback.store}. */
@Configuration(proxyBeanMethods = false)
class FeedbackStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(FeedbackStoreConfiguration.class);

    /** Static: a bean factory post-processor runs before the other beans of this class exist. */
    @Bean
    static RedisOnlyWhenUsed redisOnlyWhenUsed(Environment environment) {
        return new RedisOnlyWhenUsed(environment);
    }

    /**
     * While Redis is unreachable, commands fail at once instead of queueing until the timeout: a verification
     * then loses only its feedback record, never time.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    @Bean
    FeedbackStore feedbackStore(FeedbackProperties properties, ObjectProvider<StringRedisTemplate> redis) {
        return switch (properties.store()) {
            case MEMORY -> {
                log.info("feedback store: memory (this instance; at most {} verifications for {})",
                        properties.maxEntries(), properties.ttl());
                yield new MemoryFeedbackStore(properties, Clock.systemUTC());
            }
            case REDIS -> {
                StringRedisTemplate template = redis.getObject();
                try {
                    template.execute((org.springframework.data.redis.core.RedisCallback<String>) c -> c.ping());
                    log.info("feedback store: redis (shared by every replica; verifications kept {})", properties.ttl());
                } catch (RuntimeException e) {
                    // not fatal: Redis may come up after us; feedback answers store_unavailable until it does
                    log.warn("feedback store: redis is not reachable yet ({}); check spring.data.redis.host/port",
                            e.getMessage());
                }
                yield new RedisFeedbackStore(template, properties);
            }
        };
    }
}
