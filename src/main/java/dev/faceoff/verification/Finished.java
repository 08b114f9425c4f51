package dev.faceoff.verification;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;

/**
 * What a request came to: its route, each image's {@link Outcome} in request order, the error that fails it
 * ({@link ErrorOrder}; then its images were not embedded), its stages' time, and the decisions of the images
 * decided against the first; for an enrolment, the first image's embeddings by further models ({@code more}: model → embedding).
 */
record Finished(Route route, List<Outcome> outcomes, Optional<FaceoffException> error, StageTimings timings,
                List<Decision> decisions, Map<String, float[]> more) {

    Finished(Route route, List<Outcome> outcomes, Optional<FaceoffException> error, StageTimings timings) {
        this(route, outcomes, error, timings, List.of(), Map.of());
    }

    /** Image {@code image} decided against the first: its verification id, similarity and decision. */
    record Decision(int image, String id, double similarity, boolean match) {
    }

    /** The embedded face of image {@code i}, one whose error fails the request. */
    Outcome.Embedded embedded(int i) {
        if (outcomes.get(i) instanceof Outcome.Embedded embedded) {
            return embedded;
        }
        throw new IllegalStateException("image " + i + " was not embedded: " + outcomes.get(i));
    }

    /** The decision of image {@code i}, one that was embedded. */
    Decision decisionOf(int i) {
        return decisions.stream().filter(d -> d.image() == i).findFirst()
                .orElseThrow(() -> new IllegalStateException("image " + i + " was not decided"));
    }

    Finished decided(List<Decision> decided) {
        return new Finished(route, outcomes, error, timings, List.copyOf(decided), more);
    }

    /** This request failed with {@code e} after its images were embedded (the gallery's store, say). */
    Finished failed(FaceoffException e) {
        return new Finished(route, outcomes, Optional.of(e), timings, decisions, more);
    }
}
