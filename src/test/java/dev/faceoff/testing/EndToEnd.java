package dev.faceoff.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.AliasFor;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.TestPropertySourceUtils;

import dev.faceoff.SharedData;

/**
 * The whole faceoff application on real models, for a test class: {@code @SpringBootTest} on a random port
 * (or {@link #web()}), ONNX Runtime's CPU provider, and the model store {@link #store()}. The test's own
 * {@link #properties()} come first, then the store's, then {@code application.yaml}; a
 * {@code @DynamicPropertySource} of the test adds to them. Skips or fails like {@link SharedData} where the
 * models are missing.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest
@ContextCustomizerFactories(EndToEnd.StoreProperties.class)
public @interface EndToEnd {

    /** Which model store faceoff opens. */
    enum Store {
        /** The repository's {@code models/} ({@link SharedData#models()}), no experiment. */
        MODELS,
        /** {@link ModelStores#shared()} with the "losses" experiment of {@link ModelStores#abProperties}. */
        AB
    }

    Store store() default Store.MODELS;

    @AliasFor(annotation = SpringBootTest.class, attribute = "webEnvironment")
    SpringBootTest.WebEnvironment web() default SpringBootTest.WebEnvironment.RANDOM_PORT;

    /** More properties ({@code key=value}), as {@code @SpringBootTest(properties = ...)}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] properties() default {};

    /** Puts the store's properties into the test's environment, below the test's own. */
    final class StoreProperties implements ContextCustomizerFactory {

        static final String SOURCE = "faceoff end-to-end model store";

        @Override
        public ContextCustomizer createContextCustomizer(Class<?> testClass,
                List<ContextConfigurationAttributes> configAttributes) {
            EndToEnd annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass, EndToEnd.class);
            return annotation == null ? null : new Customizer(annotation.store());
        }

        /** A record: equal stores give equal customizers, so Spring's context cache shares their contexts. */
        record Customizer(Store store) implements ContextCustomizer {

            @Override
            public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
                var source = new MapPropertySource(SOURCE, properties(store));
                MutablePropertySources sources = context.getEnvironment().getPropertySources();
                if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
                    sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, source);
                } else {
                    sources.addFirst(source);
                }
            }
        }

        static Map<String, Object> properties(Store store) {
            List<String> pairs;
            try {
                pairs = store == Store.AB ? ModelStores.abProperties(ModelStores.shared())
                        : ModelStores.properties(SharedData.models());
            } catch (IOException e) {
                throw new UncheckedIOException("the A/B model store could not be built", e);
            }
            var map = new LinkedHashMap<String, Object>();
            for (String kv : pairs) {
                map.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            return map;
        }
    }
}
