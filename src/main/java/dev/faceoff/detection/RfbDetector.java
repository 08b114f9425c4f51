package dev.faceoff.detection;

import dev.faceoff.common.NativeLedger;
import java.util.List;

import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/**
 * Ultra-Light RFB-320: stretch the image to the detector's 320×240 input, one session run, decode + NMS.
 * Gives boxes only: a landmark model finds the five points.
 */
final class RfbDetector implements FaceDetector {

    private final LoadedModel model;
    private final ModelRunner runner;
    private final DetectionProperties properties;

    RfbDetector(LoadedModel model, ModelRunner runner, DetectionProperties properties) {
        this.model = model;
        this.runner = runner;
        this.properties = properties;
    }

    /** RFB-320's input is a fixed 320×240: {@code maxSide} changes nothing. */
    @Override
    public List<DetectedFace> detect(Mat bgr, int maxSide) {
        return detect(bgr);
    }

    @Override
    public boolean scalesWithMaxSide() {
        return false;
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        ModelManifest.Input input = model.manifest().input();
        int w = input.width();
        int h = input.height();
        float[] tensor = new float[3 * w * h];
        Mat resized = NativeLedger.open(new Mat());
        try {
            Imgproc.resize(bgr, resized, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
            Pixels.toChw(Pixels.bytes(resized), h, w, 3, input.color(), input.mean(), input.std(), tensor, 0);
        } finally {
            NativeLedger.release(resized);
        }
        // model.json lists the outputs in this order: scores, then boxes
        var outputs = model.manifest().outputs();
        ModelRunner.Outputs out = runner.run(model, tensor, 1, 3, h, w);
        return DetectorDecoding.decode(out.get(outputs.get(0).name()), out.get(outputs.get(1).name()), bgr.cols(), bgr.rows(),
                properties.scoreThreshold(model.manifest()), properties.nmsIou(), properties.minFaceSize());
    }
}
