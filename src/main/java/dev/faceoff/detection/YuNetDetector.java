package dev.faceoff.detection;

import dev.faceoff.common.NativeLedger;
import java.util.ArrayList;
import java.util.List;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/**
 * YuNet: the image scaled so its longer side lies within [{@code min-side}, {@code max-side}] (small
 * images up, large ones down), zero-padded right and bottom to a multiple of 32, one session run,
 * {@link YuNetDecoding}: boxes and five landmarks per face, back in the image's pixels.
 */
final class YuNetDetector implements FaceDetector {

    private final LoadedModel model;
    private final ModelRunner runner;
    private final DetectionProperties properties;

    YuNetDetector(LoadedModel model, ModelRunner runner, DetectionProperties properties) {
        this.model = model;
        this.runner = runner;
        this.properties = properties;
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        return detect(bgr, properties.maxSide());
    }

    @Override
    public boolean scalesWithMaxSide() {
        return true;
    }

    @Override
    public List<DetectedFace> detect(Mat bgr, int maxSide) {
        double scale = YuNetDecoding.scaleFor(bgr.cols(), bgr.rows(), properties.minSide(), maxSide);
        int w = Math.max(1, (int) Math.round(bgr.cols() * scale));
        int h = Math.max(1, (int) Math.round(bgr.rows() * scale));
        int pw = YuNetDecoding.padded(w);
        int ph = YuNetDecoding.padded(h);
        ModelManifest.Input input = model.manifest().input();
        float[] tensor = new float[3 * pw * ph];
        Mat resized = NativeLedger.open(new Mat());
        Mat padded = NativeLedger.open(new Mat());
        try {
            Imgproc.resize(bgr, resized, new Size(w, h), 0, 0, YuNetDecoding.interpolation(scale));
            Core.copyMakeBorder(resized, padded, 0, ph - h, 0, pw - w, Core.BORDER_CONSTANT, new Scalar(0, 0, 0));
            Pixels.toTensor(input, Pixels.bytes(padded), ph, pw, 3, tensor, 0);
        } finally {
            NativeLedger.release(resized);
            NativeLedger.release(padded);
        }
        ModelRunner.Outputs out = runner.run(model, tensor, input.shape(1, ph, pw));
        var levels = new ArrayList<YuNetDecoding.Level>();
        for (int s : YuNetDecoding.STRIDES) {
            levels.add(new YuNetDecoding.Level(s, out.get("cls_" + s), out.get("obj_" + s), out.get("bbox_" + s),
                    out.get("kps_" + s)));
        }
        // the effective scale of each axis differs from `scale` by rounding; use the mean of the two
        double effective = ((double) w / bgr.cols() + (double) h / bgr.rows()) / 2;
        return YuNetDecoding.decode(levels, pw, effective, bgr.cols(), bgr.rows(), properties.scoreThreshold(model.manifest()),
                properties.nmsIou(), properties.minFaceSize());
    }
}
