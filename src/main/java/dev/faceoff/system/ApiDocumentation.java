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

    /**
     * Options in the right place per content type: an operation that takes multipart and JSON (verify,
     * embed) reads its options from form fields in multipart and from body fields in JSON (where a query
     * parameter is refused), so the options generated as query parameters become properties of the
     * multipart schema.
     */
    @Bean
    org.springdoc.core.customizers.OpenApiCustomizer formFieldsInTheirBody() {
        return openApi -> openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
            var body = operation.getRequestBody();
            if (body == null || body.getContent() == null || operation.getParameters() == null
                    || !body.getContent().containsKey("multipart/form-data")
                    || !body.getContent().containsKey("application/json")) {
                return;
            }
            @SuppressWarnings("unchecked")
            io.swagger.v3.oas.models.media.Schema<Object> form = body.getContent().get("multipart/form-data").getSchema();
            var moved = operation.getParameters().stream().filter(p -> "query".equals(p.getIn())).toList();
            for (var parameter : moved) {
                var property = parameter.getSchema();
                property.setDescription(parameter.getDescription());
                form.addProperty(parameter.getName(), property);
            }
            operation.getParameters().removeAll(moved);
            operation.setDescription((operation.getDescription() == null ? "" : operation.getDescription() + " ")
                    + "Options are form fields of a multipart request (or its query parameters) and fields of a JSON "
                    + "body; a JSON request with a query parameter is refused (400).");
        }));
    }

    /** Schema generation with the snake_case policy (swagger-core has its own Jackson 2 mapper). */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
