package dev.faceoff.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * Post-processing of YuNet (libfacedetection.train; OpenCV's {@code FaceDetectorYN}), pure. The network
 * is anchor-free: for each stride s of 8, 16 and 32 it outputs one prediction per cell of the
 * (padded input / s) grid, row-major. For the cell at column c, row r:
 * <ul>
 *   <li>score = √(clamp(cls) × clamp(obj)), both clamped to [0, 1] (as OpenCV does);</li>
 *   <li>box centre = ((c + dx) s, (r + dy) s), size = (e^dw s, e^dh s) from {@code bbox} (dx, dy, dw, dh);</li>
 *   <li>five landmarks (right eye, left eye — of the person —, nose, mouth corners) = ((c + kx) s, (r + ky) s).</li>
 * </ul>
 * Points are then scaled back from the network input to the image, and NMS keeps the best of overlaps.
 */
public final class YuNetDecoding {

    static final int[] STRIDES = {8, 16, 32};

    private YuNetDecoding() {
    }

    /** One stride's outputs: cells × 1 (cls, obj), cells × 4 (bbox), cells × 10 (kps). */
    record Level(int stride, float[] cls, float[] obj, float[] bbox, float[] kps) {
    }

    /**
     * @param inputWidth  width of the (padded) network input; the grid of a level is inputWidth / stride wide
     * @param scale       network input pixels per image pixel (points are divided by it)
     * @return faces above the threshold after NMS, highest score first, boxes and points in image pixels
     */
    static List<DetectedFace> decode(List<Level> levels, int inputWidth, double scale, int imageWidth, int imageHeight,
                                     double scoreThreshold, double nmsIou, double minFaceSize) {
        var candidates = new ArrayList<DetectedFace>();
        for (Level level : levels) {
            int s = level.stride();
            int cols = inputWidth / s;
            int cells = level.cls().length;
            if (level.obj().length != cells || level.bbox().length != cells * 4 || level.kps().length != cells * 10) {
                throw new IllegalArgumentException("stride " + s + ": output sizes disagree for " + cells + " cells");
            }
            for (int i = 0; i < cells; i++) {
                double score = Math.sqrt(clamp(level.cls()[i]) * clamp(level.obj()[i]));
                if (score < scoreThreshold) {
                    continue;
                }
                int c = i % cols;
                int r = i / cols;
                double cx = (c + level.bbox()[i * 4]) * s;
                double cy = (r + level.bbox()[i * 4 + 1]) * s;
                double w = Math.exp(level.bbox()[i * 4 + 2]) * s;
                double h = Math.exp(level.bbox()[i * 4 + 3]) * s;
                Box box = new Box((cx - w / 2) / scale, (cy - h / 2) / scale, (cx + w / 2) / scale, (cy + h / 2) / scale)
                        .clip(imageWidth, imageHeight);
                if (box.width() < minFaceSize || box.height() < minFaceSize) {
                    continue;
                }
                double[] points = new double[10];
                for (int k = 0; k < 5; k++) {
                    points[2 * k] = (c + level.kps()[i * 10 + 2 * k]) * s / scale;
                    points[2 * k + 1] = (r + level.kps()[i * 10 + 2 * k + 1]) * s / scale;
                }
                candidates.add(new DetectedFace(box, score, points));
            }
        }
        return DetectorDecoding.nms(candidates, nmsIou);
    }

    private static double clamp(float v) {
        return Math.min(1, Math.max(0, v));
    }

    /**
     * How the image is resized to the network's input at {@code scale} (an OpenCV {@code Imgproc.INTER_*} code):
     * bilinear up to halving, area averaging below. An area resize by a factor that is not a whole one is OpenCV's
     * slow path (3.7 CPU-ms of a textured 12 MP pair, two of its 500 px decodes onto the coarse look's 320:
     * {@code bench/pair-profile.sh textured-multipart}), and a bilinear one still reads every source pixel while the
     * copy keeps at least half of them; smaller copies need the average.
     */
    public static int interpolation(double scale) {
        return scale >= 0.5 ? INTER_LINEAR : INTER_AREA;
    }

    /** OpenCV's codes (Imgproc.INTER_LINEAR, INTER_AREA), here so the decoding stays free of OpenCV. */
    static final int INTER_LINEAR = 1;
    static final int INTER_AREA = 3;

    /** The network input size for an image: scaled so its longer side is within [minSide, maxSide]. Pure. */
    public static double scaleFor(int width, int height, int minSide, int maxSide) {
        int longer = Math.max(width, height);
        if (longer > maxSide) {
            return (double) maxSide / longer;
        }
        if (longer < minSide) {
            return (double) minSide / longer;
        }
        return 1.0;
    }

    /** The next multiple of 32 (the coarsest stride) at or above {@code n}. */
    public static int padded(int n) {
        return ((n - 1) / 32 + 1) * 32;
    }
}
