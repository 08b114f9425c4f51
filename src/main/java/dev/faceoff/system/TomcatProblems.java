package dev.faceoff.system;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.common.ErrorCode;

/**
 * Errors that Tomcat answers itself, before any servlet runs (a request it cannot parse, or one that arrives
 * on a connection while the server is shutting down), as problem+json instead of Tomcat's HTML page: while
 * readiness is {@code REFUSING_TRAFFIC}, 503 {@code shutting_down} with {@code Retry-After}; otherwise the
 * code of the status ({@code invalid_request} for 400).
 */
@Component
final class TomcatProblems {

    private final ApplicationAvailability availability;
    private final FaceoffMetrics metrics;

    TomcatProblems(ApplicationAvailability availability, FaceoffMetrics metrics) {
        this.availability = availability;
        this.metrics = metrics;
    }

    /** Replaces the host's HTML error report valve once the web server exists. */
    @EventListener
    void install(WebServerInitializedEvent event) {
        if (!(event.getWebServer() instanceof TomcatWebServer tomcat)) {
            return;
        }
        Host host = tomcat.getTomcat().getHost();
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof ProblemValve)) {
                host.getPipeline().removeValve(valve);
            }
        }
        host.getPipeline().addValve(new ProblemValve(this));
    }

    ErrorCode codeFor(int status) {
        if (availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC) {
            return ErrorCode.SHUTTING_DOWN;
        }
        return switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 500, 502, 503, 504 -> ErrorCode.INTERNAL_ERROR;
            default -> ErrorCode.INVALID_REQUEST;
        };
    }

    /** The valve: Tomcat's report step, writing problem+json. */
    static final class ProblemValve extends ErrorReportValve {

        private final TomcatProblems problems;

        ProblemValve(TomcatProblems problems) {
            this.problems = problems;
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            ErrorCode code = problems.codeFor(status);
            problems.metrics.error(code.code());
            String detail = code == ErrorCode.SHUTTING_DOWN ? "the instance is shutting down; retry on another"
                    : "the server could not process the request (HTTP " + status + ")";
            try {
                response.setStatus(code.status().value());
                if (code.status().value() == 503) {
                    response.setHeader("Retry-After", "1");
                }
                response.setContentType("application/problem+json");
                response.setCharacterEncoding(StandardCharsets.UTF_8.name());
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(JsonMapper.shared().writeValueAsString(
                            ProblemWriter.body(code, detail, request.getDecodedRequestURI())));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the connection is gone: nothing left to answer
            }
        }
    }
}
