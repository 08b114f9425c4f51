package dev.faceoff.system;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}): its title and version, and schemas named with the API's
 * one naming policy (snake_case, as {@code spring.jackson.property-naming-strategy} serialises them).
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    @Bean
    OpenAPI faceoffOpenApi(@Value("${faceoff.version:dev}") String version) {
        return new OpenAPI().info(new Info().title("faceoff face verification API").version(version)
                .description("Do these two photos show the same person? Detection, alignment, ONNX embeddings and a "
                        + "decision at a threshold calibrated at a chosen false-accept rate. Errors are "
                        + "application/problem+json with a stable code.")
                .license(new License().name("research use only (models trained on CelebA / CASIA-WebFace)")));
    }

    /** Schema generation with the snake_case policy (swagger-core has its own Jackson 2 mapper). */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
