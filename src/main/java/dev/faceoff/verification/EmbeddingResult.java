package dev.faceoff.verification;

import java.util.Map;


/** The answer of POST /v1/embed: the unit-length embedding of the chosen face. */
public record EmbeddingResult(
        VerificationResult.ModelRef model,
        int dim,
        float[] embedding,
        VerificationResult.Face face,
        Map<String, Double> timingsMs) {
}
