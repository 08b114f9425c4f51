package dev.faceoff.verification;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of POST /v1/compare: one probe against several candidates, decided like POST /v1/verify (same
 * model routing, threshold at {@code far}, one verification id per candidate for feedback). A candidate whose
 * image fails carries its own error instead of a decision; the others are decided all the same.
 */
public record ComparisonResult(
        double threshold,
        double far,
        VerificationResult.ModelRef model,
        VerificationResult.RoutingRef routing,
        VerificationResult.Face probe,
        List<Candidate> candidates,
        Integer bestMatch,
        Map<String, Double> timingsMs) {

    /** One candidate, in request order: its decision, or its error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Candidate(int index, String verificationId, Boolean match, Double similarity,
                            VerificationResult.Face face, CandidateError error) {
    }

    /** Why one candidate could not be decided: the code and detail its own request would have had. */
    public record CandidateError(String code, int status, String detail) {
    }
}
