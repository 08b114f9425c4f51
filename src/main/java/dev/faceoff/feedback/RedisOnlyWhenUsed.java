package dev.faceoff.feedback;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.core.env.Environment;

/**
 * Removes Spring Boot's Redis client beans unless {@code faceoff.feedback.store=redis}: the client is on the
 * classpath for that store only, and building it (Lettuce's event loops, the connection factory, the
 * templates) cost ~0.7 s of every start-up with the memory store. Making them lazy is not enough: the
 * connection factory is a {@code SmartLifecycle}, which the context starts even when lazy. With the Redis
 * store nothing changes.
 */
final class RedisOnlyWhenUsed implements BeanDefinitionRegistryPostProcessor {

    /** The packages of the Redis auto-configuration, Spring Data Redis and Lettuce. */
    static final String[] PACKAGES = {"org.springframework.boot.data.redis.", "org.springframework.data.redis.",
            "io.lettuce."};

    private final boolean used;

    RedisOnlyWhenUsed(Environment environment) {
        this.used = "redis".equalsIgnoreCase(environment.getProperty("faceoff.feedback.store", "memory").trim());
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        if (used) {
            return;
        }
        for (String name : registry.getBeanDefinitionNames()) {
            BeanDefinition definition = registry.getBeanDefinition(name);
            if (isRedis(definition.getBeanClassName()) || isRedis(definition.getFactoryBeanName())
                    || isRedis(definition.getResolvableType().getType().getTypeName())) {
                registry.removeBeanDefinition(name);
            }
        }
    }

    static boolean isRedis(String typeOrBeanName) {
        if (typeOrBeanName == null) {
            return false;
        }
        for (String prefix : PACKAGES) {
            if (typeOrBeanName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
