package dev.faceoff.alignment;


import java.util.Locale;
import java.util.Optional;

import dev.faceoff.common.NativeLedger;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.model.ModelLoadException;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/**
 * 68 facial landmarks from the detected box: crop, 64×64 grey, one session run, back to image pixels. The
 * landmark model is optional in the store when the detector finds the five points itself (YuNet); then
 * {@link #loaded()} is false and nothing may ask for landmarks: start-up stops when the detector
 * ({@link ModelRepository}) or {@code faceoff.detection.points} needs the model and it is missing.
 */
@Component
public final class LandmarkModel {

    private final Optional<LoadedModel> model;
    private final ModelRunner runner;

    LandmarkModel(ModelRepository models, ModelRunner runner, DetectionProperties detection) {
        this.model = models.landmarks();
        this.runner = runner;
        if (model.isEmpty() && detection.points() != DetectionProperties.Points.DETECTOR) {
            throw new ModelLoadException("faceoff.detection.points=" + detection.points().name().toLowerCase(Locale.ROOT)
                    + " needs the landmark model '" + models.landmarksName() + "', which is not in the store; add it "
                    + "(models/fetch-pretrained.sh) or set faceoff.detection.points=detector");
        }
    }

    /** Whether a landmark model is loaded. */
    public boolean loaded() {
        return model.isPresent();
    }

    /** @return 68 points in image pixels, flattened x0, y0, x1, y1, … */
    public double[] predict(Mat bgr, Box box) {
        LoadedModel model = this.model.orElseThrow(
                () -> new IllegalStateException("no landmark model loaded (faceoff.models.landmarks)"));
        ModelManifest.Input input = model.manifest().input();
        Rect crop = cropRect(box, bgr.cols(), bgr.rows());
        float[] tensor = new float[input.width() * input.height()];
        Mat roi = NativeLedger.open(bgr.submat(crop));
        Mat resized = NativeLedger.open(new Mat());
        Mat grey = NativeLedger.open(new Mat());
        try {
            Imgproc.resize(roi, resized, new Size(input.width(), input.height()), 0, 0, Imgproc.INTER_LINEAR);
            Imgproc.cvtColor(resized, grey, Imgproc.COLOR_BGR2GRAY);
            Pixels.toTensor(input, Pixels.bytes(grey), input.height(), input.width(), 1, tensor, 0);
        } finally {
            NativeLedger.release(roi);
            NativeLedger.release(resized);
            NativeLedger.release(grey);
        }
        float[] out = runner.run(model, tensor, input.shape(1)).get(model.manifest().output().name());
        return toImage(out, crop);
    }

    /** The detected box in whole pixels, inside the image, at least 2×2. Pure. */
    public static Rect cropRect(Box box, int imageWidth, int imageHeight) {
        int x1 = (int) Math.max(0, Math.min(imageWidth - 2, Math.floor(box.x1())));
        int y1 = (int) Math.max(0, Math.min(imageHeight - 2, Math.floor(box.y1())));
        int x2 = (int) Math.max(x1 + 2, Math.min(imageWidth, Math.ceil(box.x2())));
        int y2 = (int) Math.max(y1 + 2, Math.min(imageHeight, Math.ceil(box.y2())));
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    /** Model output (x, y in [0, 1] of the crop) → image pixels. Pure. */
    static double[] toImage(float[] relative, Rect crop) {
        double[] points = new double[relative.length];
        for (int i = 0; i < relative.length; i += 2) {
            points[i] = crop.x + relative[i] * crop.width;
            points[i + 1] = crop.y + relative[i + 1] * crop.height;
        }
        return points;
    }
}
