package dev.faceoff.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * Writes a problem+json body from a servlet filter, where no controller advice applies: the same fields,
 * in the same order, as {@link ProblemHandler}'s {@code ProblemDetail}, serialised by Jackson.
 */
public final class ProblemWriter {

    private final FaceoffMetrics metrics;

    public ProblemWriter(FaceoffMetrics metrics) {
        this.metrics = metrics;
    }

    public void write(HttpServletResponse response, HttpServletRequest request, ErrorCode code, String detail) throws IOException {
        write(response, request, code, detail, ProblemHandler.RETRY_AFTER_SECONDS);
    }

    /** {@code e}'s code and detail, and its {@code Retry-After} where its status calls for one. */
    public void write(HttpServletResponse response, HttpServletRequest request, FaceoffException e) throws IOException {
        write(response, request, e.code(), e.getMessage(), e.retryAfterSeconds());
    }

    private void write(HttpServletResponse response, HttpServletRequest request, ErrorCode code, String detail,
                       long retryAfterSeconds) throws IOException {
        metrics.error(code.code());
        response.setStatus(code.status().value());
        if (ProblemHandler.retries(code)) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(JsonMapper.shared().writeValueAsString(body(code, detail, request.getRequestURI())));
    }

    static Map<String, Object> body(ErrorCode code, String detail, String instance) {
        var body = new LinkedHashMap<String, Object>();
        body.put("type", ProblemHandler.type(code).toString());
        body.put("title", code.title());
        body.put("status", code.status().value());
        body.put("detail", detail);
        body.put("instance", instance);
        body.put("code", code.code());
        return body;
    }
}
