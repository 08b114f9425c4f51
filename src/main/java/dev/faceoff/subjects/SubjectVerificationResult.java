package dev.faceoff.subjects;

import java.util.Map;

import dev.faceoff.verification.VerificationResult;
import dev.faceoff.verification.VerificationService;

/**
 * The answer of a verification against a subject: that of /v1/verify, the similarity to the subject's template
 * of the model, the normalised mean of its {@code template_faces} faces', and {@code face} the probe's.
 */
record SubjectVerificationResult(String verificationId, String subjectId, boolean match, double similarity,
                                 double threshold, double far, VerificationResult.ModelRef model,
                                 VerificationResult.RoutingRef routing, VerificationResult.Face face, int templateFaces,
                                 Map<String, Double> timingsMs) {

    static SubjectVerificationResult of(String subjectId, VerificationService.Decided<Integer> d) {
        return new SubjectVerificationResult(d.id(), subjectId, d.match(), d.similarity(), d.threshold(), d.far(),
                d.model(), d.routing(), d.face(), d.detail(), d.timingsMs());
    }
}
