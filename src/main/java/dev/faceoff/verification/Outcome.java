package dev.faceoff.verification;

import java.util.Optional;

import dev.faceoff.common.FaceoffException;
import dev.faceoff.face.PreparedFace;

/**
 * What became of one image of a request, as data. Preparation gives its face ({@link Found}) or its error
 * ({@link Failed}); the quality gate may refuse a face ({@link Refused}); embedding gives each face let through
 * its embedding ({@link Embedded}). Which of these errors fails the request is {@link ErrorOrder}'s rule.
 */
sealed interface Outcome permits Outcome.Found, Outcome.Refused, Outcome.Embedded, Outcome.Failed {

    /** The face found in the image, refused or not: what the drift signal sees. */
    Optional<PreparedFace> faceFound();

    /** Its face, found, aligned and measured. */
    record Found(PreparedFace face) implements Outcome {
        public Optional<PreparedFace> faceFound() {
            return Optional.of(face);
        }
    }

    /** Its face, refused by the quality gate (422 {@code low_quality}). */
    record Refused(PreparedFace face, FaceoffException error) implements Outcome {
        public Optional<PreparedFace> faceFound() {
            return Optional.of(face);
        }
    }

    /** Its face and the face's embedding by the route's model. */
    record Embedded(PreparedFace face, float[] embedding) implements Outcome {
        public Optional<PreparedFace> faceFound() {
            return Optional.of(face);
        }
    }

    /** Its preparation's error: no face found, an undecodable image, the deadline, an overload. */
    record Failed(FaceoffException error) implements Outcome {
        public Optional<PreparedFace> faceFound() {
            return Optional.empty();
        }
    }
}
