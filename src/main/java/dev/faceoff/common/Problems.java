package dev.faceoff.common;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The error codes an endpoint can answer, for its OpenAPI document: each becomes an
 * {@code application/problem+json} response of its code's status (system's {@code ProblemResponses}).
 * On a controller class it applies to every endpoint, on a method in addition to the class's codes.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Problems {
    ErrorCode[] value();
}
