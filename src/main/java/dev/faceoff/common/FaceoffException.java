package dev.faceoff.common;

/** A request that cannot be answered, with its stable code and a sentence for the caller. */
public class FaceoffException extends RuntimeException {

    private final ErrorCode code;

    public FaceoffException(ErrorCode code, String detail) {
        super(detail);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
