package dev.faceoff.alignment;


import dev.faceoff.common.NativeLedger;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.detection.Box;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/** 68 facial landmarks from the detected box: crop, 64×64 grey, one session run, back to image pixels. */
@Component
public final class LandmarkModel {

    private final LoadedModel model;
    private final ModelRunner runner;

    LandmarkModel(ModelRepository models, ModelRunner runner) {
        this.model = models.landmarks().orElse(null);   // null: the detector gives the points (YuNet)
        this.runner = runner;
    }

    /** @return 68 points in image pixels, flattened x0, y0, x1, y1, … */
    public double[] predict(Mat bgr, Box box) {
        if (model == null) {
            throw new IllegalStateException("no landmark model loaded (faceoff.models.landmarks)");
        }
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
