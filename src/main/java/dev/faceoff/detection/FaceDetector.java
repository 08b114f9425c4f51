package dev.faceoff.detection;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.OnnxRuntime;
import dev.faceoff.model.Pixels;

/** Finds faces: stretch the image to the detector's input, one session run, decode + NMS. */
@Component
public final class FaceDetector {

    private final LoadedModel model;
    private final OnnxRuntime runtime;
    private final DetectionProperties properties;

    FaceDetector(ModelRepository models, OnnxRuntime runtime, DetectionProperties properties) {
        this.model = models.detector();
        this.runtime = runtime;
        this.properties = properties;
    }

    public List<DetectedFace> detect(Mat bgr) {
        ModelManifest.Input input = model.manifest().input();
        int w = input.width();
        int h = input.height();
        float[] tensor = new float[3 * w * h];
        Mat resized = new Mat();
        try {
            Imgproc.resize(bgr, resized, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
            Pixels.toChw(Pixels.bytes(resized), h, w, 3, input.color(), input.mean(), input.std(), tensor, 0);
        } finally {
            resized.release();
        }
        float[] scores;
        float[] boxes;
        try (OnnxTensor in = OnnxTensor.createTensor(runtime.environment(), FloatBuffer.wrap(tensor), new long[]{1, 3, h, w});
             var result = model.session().run(Map.of(input.name(), in))) {
            scores = flatten(result.get("scores").orElseThrow());
            boxes = flatten(result.get("boxes").orElseThrow());
        } catch (OrtException e) {
            throw new IllegalStateException("detector run failed: " + e.getMessage(), e);
        }
        return DetectorDecoding.decode(scores, boxes, bgr.cols(), bgr.rows(),
                properties.scoreThreshold(), properties.nmsIou(), properties.minFaceSize());
    }

    private static float[] flatten(ai.onnxruntime.OnnxValue value) {
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
