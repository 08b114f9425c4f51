package dev.faceoff.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Post-processing of the Ultra-Light RFB-320 detector, pure. Its {@code scores} are already softmaxed
 * (column 1 = face) and its {@code boxes} already decoded from the 4,420 priors into x1, y1, x2, y2
 * normalised to the stretched 320×240 input, so decoding is a scale back to the image and NMS.
 */
final class DetectorDecoding {

    private DetectorDecoding() {
    }

    /**
     * @param scores anchors × 2 (background, face)
     * @param boxes anchors × 4, normalised corners
     * @return faces above the threshold after NMS, highest score first, in image pixels
     */
    static List<DetectedFace> decode(float[] scores, float[] boxes, int imageWidth, int imageHeight,
                                     double scoreThreshold, double nmsIou, double minFaceSize) {
        int anchors = scores.length / 2;
        if (boxes.length != anchors * 4) {
            throw new IllegalArgumentException(boxes.length + " box values for " + anchors + " anchors");
        }
        var candidates = new ArrayList<DetectedFace>();
        for (int a = 0; a < anchors; a++) {
            double score = scores[a * 2 + 1];
            if (score < scoreThreshold) {
                continue;
            }
            Box box = new Box(boxes[a * 4] * imageWidth, boxes[a * 4 + 1] * imageHeight,
                    boxes[a * 4 + 2] * imageWidth, boxes[a * 4 + 3] * imageHeight).clip(imageWidth, imageHeight);
            if (box.width() >= minFaceSize && box.height() >= minFaceSize) {
                candidates.add(new DetectedFace(box, score));
            }
        }
        return nms(candidates, nmsIou);
    }

    /** Greedy non-maximum suppression: keep the best, drop what overlaps it by more than {@code iou}. */
    static List<DetectedFace> nms(List<DetectedFace> faces, double iou) {
        var sorted = new ArrayList<>(faces);
        sorted.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
        var kept = new ArrayList<DetectedFace>();
        for (DetectedFace candidate : sorted) {
            boolean suppressed = false;
            for (DetectedFace k : kept) {
                if (k.box().iou(candidate.box()) > iou) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(candidate);
            }
        }
        return kept;
    }
}
