package dev.faceoff.detection;

import dev.faceoff.common.NativeLedger;
import java.util.List;

import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoadException;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/**
 * Ultra-Light RFB-320: stretch the image to the detector's 320×240 input, one session run, decode + NMS.
 * Gives boxes only: a landmark model finds the five points.
 */
final class RfbDetector implements FaceDetector {

    /** The outputs this decoding reads, by the names its model.json gives them. */
    static final String SCORES = "scores";
    static final String BOXES = "boxes";

    private final LoadedModel model;
    private final ModelRunner runner;
    private final DetectionProperties properties;

    RfbDetector(LoadedModel model, ModelRunner runner, DetectionProperties properties) {
        var names = model.manifest().outputs().stream().map(ModelManifest.Output::name).toList();
        if (!names.contains(SCORES) || !names.contains(BOXES)) {
            throw new ModelLoadException(model.directory().resolve("model.json") + ": decoding 'rfb' reads the outputs '"
                    + SCORES + "' and '" + BOXES + "'; the manifest lists " + names);
        }
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
            Pixels.toTensor(input, Pixels.bytes(resized), h, w, 3, tensor, 0);
        } finally {
            NativeLedger.release(resized);
        }
        ModelRunner.Outputs out = runner.run(model, tensor, input.shape(1));
        return DetectorDecoding.decode(out.get(SCORES), out.get(BOXES), bgr.cols(), bgr.rows(),
                properties.scoreThreshold(model.manifest()), properties.nmsIou(), properties.minFaceSize());
    }
}
