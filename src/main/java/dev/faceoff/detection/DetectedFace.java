package dev.faceoff.detection;

/**
 * A face the detector found: its box in image pixels, the detector's confidence in [0, 1], and its five
 * points (eye centres, nose tip, mouth corners, image-left first, flattened x, y) when the detector gives
 * them (YuNet), else null (RFB-320: a landmark model finds them).
 */
public record DetectedFace(Box box, double score, double[] points5) {

    public DetectedFace(Box box, double score) {
        this(box, score, null);
    }

    /** The same face moved by (dx, dy): boxes and points back from a padded image. */
    public DetectedFace shifted(double dx, double dy) {
        double[] moved = null;
        if (points5 != null) {
            moved = points5.clone();
            for (int i = 0; i < moved.length; i += 2) {
                moved[i] += dx;
                moved[i + 1] += dy;
            }
        }
        return new DetectedFace(new Box(box.x1() + dx, box.y1() + dy, box.x2() + dx, box.y2() + dy), score, moved);
    }

    /** The same face in an image scaled by {@code s}: from a reduced decode back to the image as sent. */
    public DetectedFace scaled(double s) {
        if (s == 1) {
            return this;
        }
        double[] moved = null;
        if (points5 != null) {
            moved = points5.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] *= s;
            }
        }
        return new DetectedFace(new Box(box.x1() * s, box.y1() * s, box.x2() * s, box.y2() * s), score, moved);
    }
}
