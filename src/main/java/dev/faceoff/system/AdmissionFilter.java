package dev.faceoff.system;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.faceoff.common.Deadline;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * The first step of admission ({@link Admission}) for {@code POST /v1/verify}, {@code /v1/compare} and {@code /v1/embed}, before
 * their bodies are read: reserves the memory the body will take (twice its length: the bytes as read and
 * decoded from multipart or base64; the largest allowed body when the length is not declared), or refuses
 * with 503 {@code overloaded}; refuses at once, unread, when every worker is busy and its predicted wait does not
 * fit its deadline, else takes its place in the queue ({@link Admission#arrive}). Tomcat then closes the connection (as after every 503) once
 * it has read the rest of the body, so that the client sees the 503 and not a reset (closing unread was measured:
 * no cheaper, and hey and Java's HttpClient saw broken pipes; docs/operations.md, "Overload"). Gives each request
 * its deadline ({@link RequestScope#deadline()}) and counts the requests that ran past it. The worker is taken later, once the body has arrived
 * ({@code VerificationService}), so a slow upload holds memory from the budget, never a worker.
 */
@Component
@Order(AdmissionFilter.ORDER)
final class AdmissionFilter extends OncePerRequestFilter {

    /** After {@link PayloadLimitFilter}: a body too large is refused before it waits for a worker. */
    static final int ORDER = PayloadLimitFilter.ORDER + 1;

    static final Set<String> PATHS = Set.of("/v1/verify", "/v1/embed", "/v1/compare");

    private final Admission admission;
    private final LimitsProperties limits;
    private final ProblemWriter writer;
    private final long maxBody;

    AdmissionFilter(Admission admission, LimitsProperties limits, FaceoffMetrics metrics,
                    @org.springframework.beans.factory.annotation.Value("${spring.servlet.multipart.max-request-size:21MB}")
                    org.springframework.util.unit.DataSize maxBody) {
        this.admission = admission;
        this.limits = limits;
        this.maxBody = maxBody.toBytes();
        this.writer = new ProblemWriter(metrics);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !PATHS.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Deadline deadline = Deadline.after(limits.deadline());
        RequestScope scope = RequestScope.of(request);
        scope.deadline(deadline);
        long length = request.getContentLengthLong();
        long bodyBytes = 2 * (length >= 0 ? Math.min(length, maxBody) : maxBody);
        Optional<Admission.Place> place = Optional.empty();
        Admission.Reservation body;
        try {
            place = admission.arrive(deadline);   // before the body is read: a refusal under overload stays cheap
            body = admission.reserve(bodyBytes, 0);
        } catch (FaceoffException e) {
            place.ifPresent(Admission.Place::close);
            writer.write(response, request, e);
            return;
        }
        scope.holds(bodyBytes);
        scope.place(place);
        try (body) {
            chain.doFilter(request, response);
        } finally {
            place.ifPresent(Admission.Place::close);
            if (ErrorCode.DEADLINE_EXCEEDED.code().equals(scope.errorCode())) {
                admission.expired();
            }
        }
    }
}
