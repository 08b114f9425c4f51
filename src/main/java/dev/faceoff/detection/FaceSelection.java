package dev.faceoff.detection;

import java.util.Comparator;
import java.util.List;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

/** Which detected face a request is about. */
public enum FaceSelection {
    /** The largest box (the default: the subject is usually the closest person). */
    LARGEST,
    /** The box whose centre is nearest the image centre. */
    CENTER,
    /** The detector's most confident box. */
    SCORE,
    /** Exactly one face, else {@code multiple_faces}. */
    SINGLE;

    /** Chooses one face, or throws {@code no_face} / {@code multiple_faces}. */
    public DetectedFace choose(List<DetectedFace> faces, int imageWidth, int imageHeight, String which) {
        if (faces.isEmpty()) {
            throw new FaceoffException(ErrorCode.NO_FACE, "no face found in " + which);
        }
        return switch (this) {
            case LARGEST -> faces.stream().max(Comparator.comparingDouble(f -> f.box().area())).orElseThrow();
            case CENTER -> faces.stream().min(Comparator.comparingDouble(f -> distance2(f.box(), imageWidth, imageHeight)))
                    .orElseThrow();
            case SCORE -> faces.stream().max(Comparator.comparingDouble(DetectedFace::score)).orElseThrow();
            case SINGLE -> {
                if (faces.size() > 1) {
                    throw new FaceoffException(ErrorCode.MULTIPLE_FACES, faces.size() + " faces found in " + which
                            + "; send one face, or choose one with select=largest|center|score");
                }
                yield faces.get(0);
            }
        };
    }

    private static double distance2(Box box, int imageWidth, int imageHeight) {
        double dx = box.centerX() - imageWidth / 2.0;
        double dy = box.centerY() - imageHeight / 2.0;
        return dx * dx + dy * dy;
    }

    /** Parses {@code largest|center|score|single}, case-insensitive. */
    public static FaceSelection parse(String value) {
        for (FaceSelection s : values()) {
            if (s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new FaceoffException(ErrorCode.INVALID_REQUEST,
                "select must be one of largest, center, score, single; got '" + value + "'");
    }
}
