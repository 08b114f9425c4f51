package dev.faceoff.face;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.detection.DetectedFace;

/**
 * One image made ready for any embedding model: the chosen face, its 5 points and its aligned crop.
 *
 * @param points5 eye centres, nose tip, mouth corners in image pixels, flattened x, y
 * @param facesFound how many faces the detector kept
 * @param quality how usable the face is ({@link FaceQuality})
 */
public record PreparedFace(AlignedFace aligned, DetectedFace face, double[] points5,
                           int imageWidth, int imageHeight, int facesFound, FaceQuality quality) {
}
