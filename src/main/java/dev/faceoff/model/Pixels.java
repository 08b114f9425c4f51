package dev.faceoff.model;

import dev.faceoff.common.NativeLedger;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import dev.faceoff.model.ModelManifest.Color;

/** Pre-processing shared by every model: 8-bit pixels → normalised CHW floats. Pure. */
public final class Pixels {

    private Pixels() {
    }

    /** The bytes of an 8-bit Mat (BGR or grey), row-major HWC. */
    public static byte[] bytes(Mat mat) {
        if (mat.depth() != CvType.CV_8U) {
            throw new IllegalArgumentException("expected an 8-bit image, got type " + mat.type());
        }
        Mat continuous = mat.isContinuous() ? mat : NativeLedger.open(mat.clone());
        try {
            byte[] data = new byte[(int) (continuous.total() * continuous.channels())];
            continuous.get(0, 0, data);
            return data;
        } finally {
            if (continuous != mat) {
                NativeLedger.release(continuous);
            }
        }
    }

    /**
     * Writes {@code (p - mean) / std} for every pixel of a BGR (3-channel) or grey (1-channel) HWC image
     * into {@code dst} at {@code offset}, as CHW in the {@code target} colour order.
     */
    public static void toChw(byte[] hwc, int height, int width, int channels, Color target,
                             double mean, double std, float[] dst, int offset) {
        int plane = height * width;
        int outChannels = target == Color.GRAY ? 1 : 3;
        if ((target == Color.GRAY) != (channels == 1) || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException(channels + "-channel pixels cannot feed a " + target + " input");
        }
        float scale = (float) (1.0 / std);
        float shift = (float) mean;
        for (int c = 0; c < outChannels; c++) {
            int source = target == Color.RGB ? 2 - c : c;   // pixels are BGR
            int out = offset + c * plane;
            for (int p = 0; p < plane; p++) {
                dst[out + p] = ((hwc[p * channels + source] & 0xFF) - shift) * scale;
            }
        }
    }
}
