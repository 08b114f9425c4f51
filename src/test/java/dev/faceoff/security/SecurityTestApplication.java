package dev.faceoff.security;

import java.util.Map;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import dev.faceoff.system.Caller;
import dev.faceoff.system.FaceoffMetrics;

/**
 * The security rules and the actuator as the jar configures them (application.yaml, Spring Boot's
 * auto-configuration), without the models: a health indicator with details stands in for the models', and
 * {@code GET /v1/caller} answers the request's {@link Caller}. Neither a component nor a configuration class, so
 * that no component scan of {@code dev.faceoff} (a test that starts {@code FaceoffApplication}) finds it.
 */
@EnableAutoConfiguration
@Import({SecurityConfiguration.class, FaceoffMetrics.class})
@EnableConfigurationProperties(ApiKeyProperties.class)
class SecurityTestApplication {

    @Bean
    HealthIndicator models() {
        return () -> Health.up().withDetail("provider", "cpu").build();
    }

    @Bean
    RouterFunction<ServerResponse> caller() {
        return RouterFunctions.route().GET("/v1/caller", request -> {
            var caller = Caller.current();
            return ServerResponse.ok().body(Map.of("name", caller.name(), "tenant", caller.tenant()));
        }).build();
    }
}
