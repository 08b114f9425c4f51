package dev.faceoff.system;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/**
 * Every error as {@code application/problem+json} with a stable {@code code}. Client mistakes are 4xx;
 * a 5xx means a bug, logged with its stack trace (never with image bytes or embeddings).
 */
@RestControllerAdvice
final class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /**
     * Retry-After of a 503 or 429 that names none: shutdown, store outages and rate limits pass within seconds (an
     * overload refusal names its predicted wait, {@link FaceoffException#retryAfterSeconds()}).
     */
    static final long RETRY_AFTER_SECONDS = 1;

    private final FaceoffMetrics metrics;

    ProblemHandler(FaceoffMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(FaceoffException.class)
    ResponseEntity<ProblemDetail> faceoff(FaceoffException e, HttpServletRequest request) {
        return problem(e.code(), e.getMessage(), request, e.retryAfterSeconds());
    }

    /** The feedback store (Redis) is down: the caller may retry; verification itself keeps working. */
    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<ProblemDetail> storeUnavailable(DataAccessException e, HttpServletRequest request) {
        log.warn("feedback store unavailable: {}", e.getMessage());
        return problem(ErrorCode.STORE_UNAVAILABLE, "the feedback store cannot be reached; retry later", request);
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ProblemDetail> uploadTooLarge(MaxUploadSizeExceededException e, HttpServletRequest request) {
        return problem(ErrorCode.PAYLOAD_TOO_LARGE, "the request exceeds the upload limit"
                + (e.getMaxUploadSize() > 0 ? " of " + e.getMaxUploadSize() + " bytes" : ""), request);
    }

    @ExceptionHandler(MissingServletRequestPartException.class)
    ResponseEntity<ProblemDetail> missingPart(MissingServletRequestPartException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "missing multipart field '" + e.getRequestPartName() + "'", request);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "missing parameter '" + e.getParameterName() + "'", request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "parameter '" + e.getName() + "' has an invalid value", request);
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ResponseEntity<ProblemDetail> invalid(MethodArgumentNotValidException e, HttpServletRequest request) {
        var first = e.getBindingResult().getFieldErrors().stream().findFirst();
        String detail = first.map(f -> "field '" + f.getField() + "' " + f.getDefaultMessage()).orElse("invalid request body");
        return problem(ErrorCode.INVALID_REQUEST, detail, request);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ResponseEntity<ProblemDetail> invalidParameters(HandlerMethodValidationException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "invalid request parameters", request);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        if (PayloadLimitFilter.isPayloadTooLarge(e)) {
            return problem(ErrorCode.PAYLOAD_TOO_LARGE, "the request body exceeds the limit", request);
        }
        return problem(ErrorCode.INVALID_REQUEST, "the request body is not valid JSON for this endpoint", request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "malformed multipart request"
                + (e instanceof MultipartBody.Malformed ? ": " + e.getMessage() : ""), request);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return problem(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "send multipart/form-data or application/json; got " + e.getContentType(), request);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return problem(ErrorCode.INVALID_REQUEST, "responses are application/json", request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return problem(ErrorCode.METHOD_NOT_ALLOWED, e.getMethod() + " is not supported here", request);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NoResourceFoundException e, HttpServletRequest request) {
        return problem(ErrorCode.NOT_FOUND, "no such endpoint", request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        if (PayloadLimitFilter.isPayloadTooLarge(e)) {
            return problem(ErrorCode.PAYLOAD_TOO_LARGE, "the request body exceeds the limit", request);
        }
        log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return problem(ErrorCode.INTERNAL_ERROR, "an unexpected error occurred; it has been logged", request);
    }

    private ResponseEntity<ProblemDetail> problem(ErrorCode code, String detail, HttpServletRequest request) {
        return problem(code, detail, request, RETRY_AFTER_SECONDS);
    }

    private ResponseEntity<ProblemDetail> problem(ErrorCode code, String detail, HttpServletRequest request,
                                                  long retryAfterSeconds) {
        metrics.error(code.code());
        RequestScope.of(request).failed(code.code());
        ProblemDetail body = ProblemDetail.forStatusAndDetail(code.status(), detail);
        body.setTitle(code.title());
        body.setType(type(code));
        body.setInstance(URI.create(request.getRequestURI()));
        body.setProperty("code", code.code());
        var response = ResponseEntity.status(code.status()).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
        if (retries(code)) {
            response.header(org.springframework.http.HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        return response.body(body);
    }

    /** Whether an answer with {@code code} tells the caller when to retry (503 and 429: {@code Retry-After}). */
    static boolean retries(ErrorCode code) {
        return code.status() == org.springframework.http.HttpStatus.SERVICE_UNAVAILABLE
                || code.status() == org.springframework.http.HttpStatus.TOO_MANY_REQUESTS;
    }

    /** The problem type URI of an error code (documentation of each code lives under it). */
    static URI type(ErrorCode code) {
        return URI.create("https://faceoff.dev/errors/" + code.code());
    }
}
