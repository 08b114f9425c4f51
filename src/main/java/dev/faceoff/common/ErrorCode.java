package dev.faceoff.common;

import org.springframework.http.HttpStatus;

/** The stable error codes of the API. Each maps to one HTTP status (always 4xx for client mistakes). */
public enum ErrorCode {
    NO_FACE(HttpStatus.UNPROCESSABLE_CONTENT, "No face found"),
    MULTIPLE_FACES(HttpStatus.UNPROCESSABLE_CONTENT, "More than one face found"),
    LOW_QUALITY(HttpStatus.UNPROCESSABLE_CONTENT, "Face quality below min_quality"),
    UNSUPPORTED_IMAGE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported image format"),
    CORRUPT_IMAGE(HttpStatus.UNPROCESSABLE_CONTENT, "Corrupt image"),
    IMAGE_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Image too large"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Payload too large"),
    TOO_MANY_CANDIDATES(HttpStatus.CONTENT_TOO_LARGE, "Too many candidates"),
    UNKNOWN_MODEL(HttpStatus.NOT_FOUND, "Unknown model"),
    UNKNOWN_VERIFICATION(HttpStatus.NOT_FOUND, "Unknown or expired verification"),
    UNKNOWN_EXPERIMENT(HttpStatus.NOT_FOUND, "Unknown experiment"),
    UNKNOWN_SUBJECT(HttpStatus.NOT_FOUND, "Unknown subject"),
    UNKNOWN_FACE(HttpStatus.NOT_FOUND, "Unknown face"),
    INVALID_SUBJECT_ID(HttpStatus.BAD_REQUEST, "Invalid subject id"),
    NOT_ENROLLED_FOR_MODEL(HttpStatus.CONFLICT, "Not enrolled for the model"),
    MODEL_NOT_CALIBRATED(HttpStatus.CONFLICT, "Model not calibrated for identification"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Missing or wrong key"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "Key lacks the role"),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "Rate limit exceeded"),
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "Invalid request"),
    STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "Store unavailable"),
    SHUTTING_DOWN(HttpStatus.SERVICE_UNAVAILABLE, "Shutting down"),
    OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "Overloaded"),
    DEADLINE_EXCEEDED(HttpStatus.SERVICE_UNAVAILABLE, "Deadline exceeded"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported request content type"),
    INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    private final HttpStatus status;
    private final String title;

    ErrorCode(HttpStatus status, String title) {
        this.status = status;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The code as it appears in responses and metrics, e.g. {@code no_face}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
