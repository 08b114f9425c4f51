package dev.faceoff.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.Problems;

/**
 * The problem responses of every endpoint in the OpenAPI document, generated from its {@link Problems}
 * codes: one response per status, its description listing each code with its title.
 */
@Component
final class ProblemResponses implements OperationCustomizer {

    @Override
    public Operation customize(Operation operation, HandlerMethod handler) {
        var codes = new ArrayList<ErrorCode>();
        add(codes, handler.getBeanType().getAnnotation(Problems.class));
        add(codes, handler.getMethodAnnotation(Problems.class));
        if (codes.isEmpty()) {
            return operation;
        }
        Map<Integer, List<ErrorCode>> byStatus = new TreeMap<>();
        codes.forEach(c -> byStatus.computeIfAbsent(c.status().value(), s -> new ArrayList<>()).add(c));
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        var schema = ModelConverters.getInstance().readAllAsResolvedSchema(ProblemDetail.class).schema;
        byStatus.forEach((status, list) -> {
            var description = new StringBuilder();
            list.forEach(c -> description.append(description.isEmpty() ? "" : "; ").append(c.code()).append(": ")
                    .append(c.title()));
            responses.addApiResponse(Integer.toString(status), new ApiResponse().description(description.toString())
                    .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                            new MediaType().schema(schema))));
        });
        operation.setResponses(responses);
        return operation;
    }

    private static void add(List<ErrorCode> codes, Problems problems) {
        if (problems != null) {
            for (ErrorCode c : problems.value()) {
                if (!codes.contains(c)) {
                    codes.add(c);
                }
            }
        }
    }
}
