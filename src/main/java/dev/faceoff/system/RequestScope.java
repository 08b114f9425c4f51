package dev.faceoff.system;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;

import dev.faceoff.common.Deadline;

/**
 * What an API request has been assigned so far (its model and variant) and how it ended (its error code),
 * so that {@link RequestMetrics} tags a failed request with its model too. One per request, kept as a
 * request attribute.
 */
public final class RequestScope {

    static final String ATTRIBUTE = RequestScope.class.getName();

    private FaceoffMetrics.Variant variant = FaceoffMetrics.Variant.NONE;
    private String errorCode;
    private Deadline deadline = Deadline.NONE;
    private long held;
    private Optional<Admission.Place> place = Optional.empty();

    /** The scope of this request (a fresh one outside the metered endpoints, e.g. in tests). */
    public static RequestScope of(HttpServletRequest request) {
        Object scope = request.getAttribute(ATTRIBUTE);
        if (scope instanceof RequestScope s) {
            return s;
        }
        var fresh = new RequestScope();
        request.setAttribute(ATTRIBUTE, fresh);
        return fresh;
    }

    public void assigned(FaceoffMetrics.Variant variant) {
        this.variant = variant;
    }

    public FaceoffMetrics.Variant variant() {
        return variant;
    }

    /** When this request must be answered ({@code faceoff.limits.deadline} after it arrived; none outside the API). */
    public Deadline deadline() {
        return deadline;
    }

    void deadline(Deadline deadline) {
        this.deadline = deadline;
    }

    /**
     * Its place in the admission queue, promised before its body was read ({@link Admission#arrive}); empty when
     * it took none (admission off, or outside {@link AdmissionFilter}).
     */
    public Optional<Admission.Place> place() {
        return place;
    }

    void place(Optional<Admission.Place> place) {
        this.place = place;
    }

    /** Bytes of the admission memory budget this request holds already (its body's). */
    public long held() {
        return held;
    }

    void holds(long bytes) {
        this.held = bytes;
    }

    String errorCode() {
        return errorCode;
    }

    void failed(String code) {
        this.errorCode = code;
    }

    /** {@code ok}, the error code of the problem answered, or {@code internal_error}. */
    String outcome(int status) {
        if (errorCode != null) {
            return errorCode;
        }
        return status < 400 ? "ok" : "internal_error";
    }
}
