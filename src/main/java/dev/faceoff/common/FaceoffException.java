package dev.faceoff.common;

/** A request that cannot be answered, with its stable code and a sentence for the caller. */
public class FaceoffException extends RuntimeException {

    private final ErrorCode code;
    private final long retryAfterSeconds;

    public FaceoffException(ErrorCode code, String detail) {
        this(code, detail, 1);
    }

    /** With the seconds after which the caller may retry (its 503 or 429 answer's {@code Retry-After}). */
    public FaceoffException(ErrorCode code, String detail, long retryAfterSeconds) {
        super(detail);
        this.code = code;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public ErrorCode code() {
        return code;
    }

    /** Seconds after which the caller may retry, at least 1: the {@code Retry-After} of a 503 or 429. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
