package dev.faceoff.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.onnxruntime.OrtSession;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import dev.faceoff.SharedData;
import dev.faceoff.image.OpenCvLoader;
import dev.faceoff.model.ModelManifest.Color;

/**
 * Benchmark (not a test), run by bench/denormals.sh: ms per face of the vendor's embedder against the
 * served one (near-zero weights flushed), one thread, all graph optimisations, on the central 112×112 crop
 * of a real LFW photo, alternating rounds so both see the same machine load. Prints the ratio.
 */
public final class DenormalBench {

    private DenormalBench() {
    }

    public static void main(String[] args) throws Exception {
        OpenCvLoader.load();
        Path lfw = args.length > 0 ? Path.of(args[0]) : SharedData.shared().resolve("datasets/lfw/lfw-deepfunneled");
        Mat image = Imgcodecs.imread(lfw.resolve("Aaron_Eckhart/Aaron_Eckhart_0001.jpg").toString());
        Mat crop = new Mat(image, new Rect(69, 69, 112, 112));
        Mat resized = new Mat();
        Imgproc.resize(crop, resized, new Size(112, 112));
        float[] x = new float[3 * 112 * 112];
        Pixels.toTensor(new ModelManifest.Input("input", List.of(1L, 3L, 112L, 112L), ModelManifest.Layout.NCHW, Color.BGR,
                127.5, 128), Pixels.bytes(resized), 112, 112, 3, x, 0);
        image.release();
        crop.release();
        resized.release();

        Path dir = Files.createTempDirectory("faceoff-bench");
        Path original = VendorModels.extract("fr_feature.onnx", dir);
        Path served = Path.of("models/mobilefacenet-faceplugin/model.onnx");
        double[] total = new double[2];
        int[] count = new int[2];
        try (var before = PreparedModelsTest.session(original); var after = PreparedModelsTest.session(served)) {
            List<OrtSession> sessions = List.of(before, after);
            for (int round = 0; round < 6; round++) {
                for (int s = 0; s < 2; s++) {
                    long start = System.nanoTime();
                    int n = 0;
                    while (System.nanoTime() - start < 1e9) {
                        PreparedModelsTest.run(sessions.get(s), x, 1, 3, 112);
                        n++;
                    }
                    if (round > 0) {   // round 0 warms up
                        total[s] += (System.nanoTime() - start) / 1e6;
                        count[s] += n;
                    }
                }
            }
        }
        double vendor = total[0] / count[0];
        double flushed = total[1] / count[1];
        System.out.printf("denormal-bench: vendor %.1f ms/face, served (flushed) %.1f ms/face, %.1fx faster%n",
                vendor, flushed, vendor / flushed);
    }
}
