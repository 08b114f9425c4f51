package dev.faceoff.feedback;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.core.env.Environment;

/**
 * Removes Spring Boot's Redis client beans unless something uses Redis: the feedback store
 * ({@code faceoff.feedback.store=redis}) or the experiments' weights ({@code faceoff.experiments.shared-weights=redis}).
 * The client is on the classpath for those only, and building it (Lettuce's event loops, the connection
 * factory, the templates) cost ~0.7 s of every start-up without them. Making them lazy is not enough: the
 * connection factory is a {@code SmartLifecycle}, which the context starts even when lazy. When either uses
 * Redis nothing changes.
 */
final class RedisOnlyWhenUsed implements BeanDefinitionRegistryPostProcessor {

    /** The packages of the Redis auto-configuration, Spring Data Redis and Lettuce. */
    static final String[] PACKAGES = {"org.springframework.boot.data.redis.", "org.springframework.data.redis.",
            "io.lettuce."};

    private final boolean used;

    RedisOnlyWhenUsed(Environment environment) {
        this.used = redis(environment, "faceoff.feedback.store") || redis(environment, "faceoff.experiments.shared-weights");
    }

    private static boolean redis(Environment environment, String property) {
        return "redis".equalsIgnoreCase(environment.getProperty(property, "").trim());
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
