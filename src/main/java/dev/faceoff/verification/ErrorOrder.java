package dev.faceoff.verification;

import java.util.List;
import java.util.Optional;

import dev.faceoff.common.FaceoffException;

/**
 * Which error fails a request, decided once over its images' outcomes in request order: the first image's
 * preparation error beats a later image's; any preparation error beats a quality refusal; a server error
 * (overload, deadline, shutdown) always fails the request; a {@code compare} candidate's client error stays
 * that candidate's own answer. Pure.
 */
final class ErrorOrder {

    private ErrorOrder() {
    }

    /** Whether an image's error is the request's: its {@link Image.OnError} says so, or it is a server error. */
    static boolean failsRequest(Image image, FaceoffException error) {
        return image.onError() == Image.OnError.FAIL_REQUEST || error.code().status().is5xxServerError();
    }

    /**
     * The error that fails the request, if any: the first preparation error ({@link Outcome.Failed}) that is the
     * request's, else the first quality refusal ({@link Outcome.Refused}) that is. {@code outcomes} follow
     * {@code images} in order and may stop after a preparation error that is the request's.
     */
    static Optional<FaceoffException> failing(List<Image> images, List<Outcome> outcomes) {
        FaceoffException refusal = null;
        for (int i = 0; i < outcomes.size(); i++) {
            Image image = images.get(i);
            if (outcomes.get(i) instanceof Outcome.Failed failed && failsRequest(image, failed.error())) {
                return Optional.of(failed.error());
            }
            if (refusal == null && outcomes.get(i) instanceof Outcome.Refused refused
                    && failsRequest(image, refused.error())) {
                refusal = refused.error();
            }
        }
        return Optional.ofNullable(refusal);
    }
}
