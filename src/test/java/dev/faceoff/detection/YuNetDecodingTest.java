package dev.faceoff.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.opencv.objdetect.FaceDetectorYN;

import dev.faceoff.SharedData;
import dev.faceoff.image.OpenCvLoader;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoader;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.OnnxRuntime;
import dev.faceoff.model.RuntimeProperties;
import dev.faceoff.model.RuntimeProperties.Provider;

/**
 * YuNet's decoding: pure arithmetic on hand-made outputs, then the real model through ONNX Runtime and our
 * Java decoding against OpenCV's own {@code FaceDetectorYN} (its C++ decoding) on real LFW photos.
 */
class YuNetDecodingTest {

    @Test
    void copiesOfHalfTheImageOrMoreAreBilinearSmallerOnesAreaAveraged() {
        assertThat(YuNetDecoding.interpolation(2.0)).isEqualTo(Imgproc.INTER_LINEAR);
        assertThat(YuNetDecoding.interpolation(320.0 / 500)).isEqualTo(Imgproc.INTER_LINEAR);
        assertThat(YuNetDecoding.interpolation(0.5)).isEqualTo(Imgproc.INTER_LINEAR);
        assertThat(YuNetDecoding.interpolation(0.49)).isEqualTo(Imgproc.INTER_AREA);
        assertThat(YuNetDecoding.interpolation(640.0 / 4000)).isEqualTo(Imgproc.INTER_AREA);
    }

    @Test
    void decodesOneCellOfEachStrideIntoImagePixels() {
        // a 64×32 input: stride 8 has 8×4 cells, 16 has 4×2, 32 has 2×1; one strong cell at stride 16 (c 2, r 1)
        int w = 64;
        var levels = new ArrayList<YuNetDecoding.Level>();
        for (int s : YuNetDecoding.STRIDES) {
            int cells = (w / s) * (32 / s);
            float[] cls = new float[cells];
            float[] obj = new float[cells];
            float[] bbox = new float[cells * 4];
            float[] kps = new float[cells * 10];
            if (s == 16) {
                int i = 4 + 2;    // row 1 of a 4-wide grid, column 2
                cls[i] = 0.81f;
                obj[i] = 1.5f;    // clamped to 1: score √(0.81 × 1) = 0.9
                bbox[i * 4] = 0.5f;
                bbox[i * 4 + 1] = 0.25f;
                bbox[i * 4 + 2] = (float) Math.log(2);    // width 2 × 16 = 32
                bbox[i * 4 + 3] = 0f;                     // height 16
                for (int k = 0; k < 5; k++) {
                    kps[i * 10 + 2 * k] = 0.1f * k;
                    kps[i * 10 + 2 * k + 1] = -0.1f * k;
                }
            }
            levels.add(new YuNetDecoding.Level(s, cls, obj, bbox, kps));
        }
        // the image was scaled by 2 into the network input: every coordinate halves
        List<DetectedFace> faces = YuNetDecoding.decode(levels, w, 2.0, 1000, 1000, 0.5, 0.4, 1);
        assertThat(faces).hasSize(1);
        DetectedFace f = faces.get(0);
        assertThat(f.score()).isCloseTo(0.9, within(1e-6));
        double cx = (2 + 0.5) * 16;
        double cy = (1 + 0.25) * 16;
        assertThat(f.box().x1()).isCloseTo((cx - 16) / 2, within(1e-4));
        assertThat(f.box().y1()).isCloseTo((cy - 8) / 2, within(1e-4));
        assertThat(f.box().x2()).isCloseTo((cx + 16) / 2, within(1e-4));
        assertThat(f.box().y2()).isCloseTo((cy + 8) / 2, within(1e-4));
        assertThat(f.points5()[4]).isCloseTo((2 + 0.2) * 16 / 2, within(1e-4));    // nose x
        assertThat(f.points5()[5]).isCloseTo((1 - 0.2) * 16 / 2, within(1e-4));    // nose y
    }

    @Test
    void scalesIntoTheSideRangeAndPadsToThirtyTwo() {
        assertThat(YuNetDecoding.scaleFor(4000, 3000, 160, 640)).isEqualTo(0.16);
        assertThat(YuNetDecoding.scaleFor(40, 30, 160, 640)).isEqualTo(4.0);
        assertThat(YuNetDecoding.scaleFor(250, 250, 160, 640)).isEqualTo(1.0);
        assertThat(YuNetDecoding.padded(250)).isEqualTo(256);
        assertThat(YuNetDecoding.padded(256)).isEqualTo(256);
        assertThat(YuNetDecoding.padded(1)).isEqualTo(32);
    }

    @Test
    void javaDecodingMatchesOpenCvFaceDetectorYnOnRealPhotos() throws Exception {
        Path lfw = SharedData.lfw();
        Path folder = SharedData.require(SharedData.models().resolve("detector-yunet/model.onnx"),
                "YuNet (models/fetch-pretrained.sh copies it from ../shared/models/yunet)").getParent();
        Path fixed = SharedData.require(SharedData.shared().resolve("models/yunet/yunet_n_640_640.onnx"), "YuNet 640×640");
        OpenCvLoader.load();
        var runtime = new OnnxRuntime(new RuntimeProperties(Provider.CPU, 0, 0, 1, false, true));
        LoadedModel model = new ModelLoader(runtime).load(folder);
        // scale 1 (the side range admits 250 px), no score threshold of our own beyond OpenCV's
        var properties = new DetectionProperties(0.5, 0.3, 1, FaceSelection.LARGEST, 0, DetectionProperties.PadWhen.NEEDED, 32, 640,
                DetectionProperties.Points.DETECTOR, false, false, false);
        var ours = new YuNetDetector(model, new ModelRunner(runtime), properties);
        int compared = 0;
        for (String name : List.of("Aaron_Peirsol", "George_W_Bush", "Serena_Williams", "Colin_Powell")) {
            byte[] bytes = java.nio.file.Files.readAllBytes(lfw.resolve(name).resolve(name + "_0001.jpg"));
            // OpenCV 4.9's DNN cannot import the dynamic-size export, so both sides see the photo scaled onto
            // the 640×640 input of the fixed-size export (same network, from ../shared/models/yunet)
            Mat photo = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_COLOR);
            Mat image = new Mat();
            Imgproc.resize(photo, image, new Size(640, 640));
            photo.release();
            Mat expected = new Mat();
            FaceDetectorYN opencv = FaceDetectorYN.create(fixed.toString(), "", new Size(640, 640), 0.5f, 0.3f, 5000);
            try {
                opencv.detect(image, expected);
                List<DetectedFace> found = new ArrayList<>(ours.detect(image));
                assertThat(found).as(name).hasSize(expected.rows());
                found.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
                for (int i = 0; i < expected.rows(); i++) {
                    double[] row = new double[15];
                    for (int j = 0; j < 15; j++) {
                        row[j] = expected.get(i, j)[0];
                    }
                    DetectedFace f = found.get(i);
                    assertThat(f.score()).as(name + " score").isCloseTo(row[14], within(2e-3));
                    assertThat(f.box().x1()).as(name + " x").isCloseTo(row[0], within(1.0));
                    assertThat(f.box().y1()).as(name + " y").isCloseTo(row[1], within(1.0));
                    assertThat(f.box().width()).as(name + " width").isCloseTo(row[2], within(1.5));
                    assertThat(f.box().height()).as(name + " height").isCloseTo(row[3], within(1.5));
                    for (int k = 0; k < 10; k++) {
                        assertThat(f.points5()[k]).as(name + " landmark " + k).isCloseTo(row[4 + k], within(1.0));
                    }
                    compared++;
                }
            } finally {
                image.release();
                expected.release();
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(4);
        model.session().close();
    }
}
