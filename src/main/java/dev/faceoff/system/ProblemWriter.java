package dev.faceoff.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Writes a problem+json body from a servlet filter, where no controller advice applies. */
final class ProblemWriter {

    private final FaceoffMetrics metrics;

    ProblemWriter(FaceoffMetrics metrics) {
        this.metrics = metrics;
    }

    void write(HttpServletResponse response, HttpServletRequest request, ErrorCode code, String detail) throws IOException {
        metrics.error(code.code());
        response.setStatus(code.status().value());
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"type\":\"https://faceoff.dev/errors/" + code.code() + "\",\"title\":\""
                + code.title() + "\",\"status\":" + code.status().value() + ",\"detail\":\"" + escape(detail)
                + "\",\"instance\":\"" + escape(request.getRequestURI()) + "\",\"code\":\"" + code.code() + "\"}");
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
