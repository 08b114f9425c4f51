package dev.faceoff.system;

import jakarta.servlet.http.HttpServletRequest;

/**
 * What an API request has been assigned so far (its model and variant) and how it ended (its error code),
 * so that {@link RequestMetrics} tags a failed request with its model too. One per request, kept as a
 * request attribute.
 */
public final class RequestScope {

    static final String ATTRIBUTE = RequestScope.class.getName();

    private FaceoffMetrics.Variant variant = FaceoffMetrics.Variant.NONE;
    private String errorCode;

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
