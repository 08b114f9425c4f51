package dev.faceoff.verification;

import dev.faceoff.system.FaceoffMetrics;

/** What a request has been assigned so far, so that metrics of a failed request still carry its model. */
public final class RequestScope {

    private FaceoffMetrics.Variant variant = FaceoffMetrics.Variant.NONE;

    void assigned(FaceoffMetrics.Variant variant) {
        this.variant = variant;
    }

    public FaceoffMetrics.Variant variant() {
        return variant;
    }
}
