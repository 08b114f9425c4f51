package dev.faceoff.subjects;

import java.util.List;
import java.util.Map;

import dev.faceoff.verification.VerificationResult;
import dev.faceoff.verification.VerificationService;

/**
 * The answer of an identification: the top-k {@code candidates} (each subject by its mean template), and the
 * open-set decision: {@code match} with {@code subject_id} only when the best similarity reaches {@code threshold},
 * the identification threshold for {@code fpir} among {@code gallery_size} subjects, one comparison each ({@code
 * far}: the per-comparison false-accept rate); {@code templates}: the faces' templates the means were made from. {@code threshold} is null for an empty gallery; {@code beyond_calibration}: the model's
 * impostor tail does not reach {@code far} (the FPIR may exceed the target).
 */
record IdentificationResult(String identificationId, boolean match, String subjectId, Double similarity,
                            Double threshold, double fpir, double far, boolean beyondCalibration, long gallerySize,
                            long templates, List<Candidate> candidates, VerificationResult.ModelRef model,
                            VerificationResult.RoutingRef routing, VerificationResult.Face face,
                            Map<String, Double> timingsMs) {

    record Candidate(String subjectId, double similarity) {
    }

    /** What the search found: the candidates, N (subjects and templates), the best subject. */
    record Search(List<Candidate> candidates, long subjects, long templates, String best, boolean beyondCalibration) {
    }

    static IdentificationResult of(VerificationService.Decided<Search> d, double fpir) {
        Search s = d.detail();
        boolean empty = s.candidates().isEmpty();
        return new IdentificationResult(d.id(), d.match(), d.match() ? s.best() : null, empty ? null : d.similarity(),
                s.templates() == 0 ? null : d.threshold(), fpir, d.far(), s.beyondCalibration(), s.subjects(),
                s.templates(), s.candidates(), d.model(), d.routing(), d.face(), d.timingsMs());
    }
}
