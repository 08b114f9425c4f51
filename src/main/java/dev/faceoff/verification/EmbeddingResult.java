package dev.faceoff.verification;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The answer of POST /v1/embed: the unit-length embedding of the chosen face. */
public record EmbeddingResult(
        VerificationResult.ModelRef model,
        int dim,
        float[] embedding,
        VerificationResult.Face face,
        @JsonProperty("timings_ms") Map<String, Double> timingsMs) {
}
