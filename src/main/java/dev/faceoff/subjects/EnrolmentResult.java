package dev.faceoff.subjects;

import java.util.List;
import java.util.Map;

import dev.faceoff.verification.VerificationResult;

/**
 * The answer of an enrolment: the new face's id, its quality, the models it was enrolled with, and
 * {@code possible_duplicate_of}: another subject of the tenant this face already identifies, if any.
 */
record EnrolmentResult(long faceId, String subjectId, double quality, List<String> models, String possibleDuplicateOf,
                       VerificationResult.Face face, Map<String, Double> timingsMs) {
}
