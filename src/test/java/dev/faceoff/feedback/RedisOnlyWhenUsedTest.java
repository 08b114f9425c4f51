package dev.faceoff.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The Redis client exists only for the Redis feedback store or weights shared through Redis (no Redis server
 * needed: nothing connects).
 */
class RedisOnlyWhenUsedTest {

    @Configuration(proxyBeanMethods = false)
    static class WithThePostProcessor {
        @Bean
        static RedisOnlyWhenUsed redisOnlyWhenUsed(org.springframework.core.env.Environment environment) {
            return new RedisOnlyWhenUsed(environment);
        }
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DataRedisReactiveAutoConfiguration.class))
            .withUserConfiguration(WithThePostProcessor.class);

    @Test
    void theMemoryStoreGetsNoRedisClient() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(RedisConnectionFactory.class);
            assertThat(context).doesNotHaveBean(StringRedisTemplate.class);
            assertThat(context.getBeanDefinitionNames()).noneMatch(name -> name.toLowerCase().contains("redis")
                    && !name.contains("redisOnlyWhenUsed") && !name.contains("RedisOnlyWhenUsed"));
        });
        runner.withPropertyValues("faceoff.feedback.store=memory", "faceoff.experiments.shared-weights=none")
                .run(context -> assertThat(context).doesNotHaveBean(RedisConnectionFactory.class));
    }

    @Test
    void weightsSharedThroughRedisGetTheClientWithTheMemoryStore() {
        runner.withPropertyValues("faceoff.feedback.store=memory", "faceoff.experiments.shared-weights=redis").run(context -> {
            assertThat(context).hasSingleBean(RedisConnectionFactory.class);
            assertThat(context).hasSingleBean(StringRedisTemplate.class);
        });
    }

    @Test
    void theRedisStoreGetsItsClient() {
        runner.withPropertyValues("faceoff.feedback.store=redis").run(context -> {
            assertThat(context).hasSingleBean(RedisConnectionFactory.class);
            assertThat(context).hasSingleBean(StringRedisTemplate.class);
        });
    }
}
