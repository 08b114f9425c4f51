package dev.faceoff.face;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.faceoff.SharedData;
import dev.faceoff.alignment.FaceAligner;
import dev.faceoff.alignment.LandmarkModel;
import dev.faceoff.common.StageTimings;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceDetector;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.embedding.Vectors;
import dev.faceoff.image.ImageDecoder;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.testing.EndToEnd;

/**
 * The coarse look ({@code faceoff.detection.coarse-look}) on real models and LFW photos made phone-size: the
 * face found on the 320 px copy is the face the look at 640 px finds, and embeds alike; it is kept where the face
 * is large, and never for a selection that weighs small faces.
 */
@EndToEnd(store = EndToEnd.Store.AB, web = SpringBootTest.WebEnvironment.NONE)
class CoarseLookTest {

    @Autowired
    ImageDecoder decoder;
    @Autowired
    FaceDetector detector;
    @Autowired
    LandmarkModel landmarks;
    @Autowired
    FaceAligner aligner;
    @Autowired
    DetectionProperties detection;
    @Autowired
    EmbeddingModel embedder;
    @Autowired
    ModelRepository models;

    FacePipeline pipeline(boolean coarse) {
        var d = detection;
        var properties = new DetectionProperties(d.scoreThreshold(), d.nmsIou(), d.minFaceSize(), d.select(), d.pad(),
                d.padWhen(), d.minSide(), d.maxSide(), d.points(), d.tryRotations(), d.closerLook(), coarse);
        return new FacePipeline(decoder, detector, landmarks, aligner, properties);
    }

    /** 24 photos of 24 people, the first of each identity (alphabetically) with at least two. */
    static List<Path> photos() throws Exception {
        var photos = new ArrayList<Path>();
        try (var dirs = Files.list(SharedData.lfw())) {
            for (Path dir : dirs.sorted().toList()) {
                if (Files.exists(dir.resolve(dir.getFileName() + "_0002.jpg"))) {
                    photos.add(dir.resolve(dir.getFileName() + "_0001.jpg"));
                }
                if (photos.size() == 24) {
                    break;
                }
            }
        }
        return photos;
    }

    /** The 250×250 photo enlarged {@code enlarge} times, centred on a {@code width}×{@code height} grey canvas, as a JPEG. */
    static byte[] phoneSize(Path photo, int width, int height, double enlarge) {
        Mat pixels = Imgcodecs.imread(photo.toString());
        Mat big = new Mat();
        Mat canvas = new Mat();
        MatOfByte jpeg = new MatOfByte();
        MatOfInt quality = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        try {
            int side = (int) Math.round(pixels.cols() * enlarge);
            Imgproc.resize(pixels, big, new Size(side, side), 0, 0, Imgproc.INTER_CUBIC);
            int left = (width - side) / 2;
            int top = (height - side) / 2;
            Core.copyMakeBorder(big, canvas, top, height - side - top, left, width - side - left, Core.BORDER_CONSTANT,
                    new Scalar(128, 128, 128));
            Imgcodecs.imencode(".jpg", canvas, jpeg, quality);
            return jpeg.toArray();
        } finally {
            for (Mat m : List.of(pixels, big, canvas, jpeg, quality)) {
                m.release();
            }
        }
    }

    float[] embed(LoadedModel model, PreparedFace face) {
        return embedder.embed(model, List.of(face.aligned())).get(0);
    }

    static double iou(Box a, Box b) {
        double w = Math.max(0, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
        double h = Math.max(0, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
        return w * h / (a.area() + b.area() - w * h);
    }

    /**
     * Two phone-size forms of each photo: the face filling a 3000×3000 frame (12×: decoded at 1/8, 375 px, its
     * face about 150 px on the 320 px copy) and the robustness suite's 4000×3000 canvas (4×: the face about a
     * ninth of the longer side, near the coarse look's tenth). The coarse look must take the face the full look
     * takes (box overlap at least a half), but where two faces are of about one size, which of them is the
     * larger is the detector's noise on either copy (Adrian_McPherson_0001 filled: the full look takes the blurred
     * man behind him, the coarse look him): one photo of each form may differ so; the same face must embed alike
     * (mean cosine at least 0.98, none below 0.93), and the coarse look be kept on the filled frames (its box
     * differs from the full look's: found on another copy).
     */
    @Test
    void theCoarseLookFindsTheFaceTheFullLookFinds() throws Exception {
        LoadedModel model = models.defaultEmbedding();
        FacePipeline coarse = pipeline(true);
        FacePipeline full = pipeline(false);
        for (double enlarge : new double[] {12, 4}) {
            int width = enlarge == 12 ? 3000 : 4000;
            int height = 3000;
            int kept = 0;
            int sameFace = 0;
            var other = new ArrayList<String>();
            double sum = 0;
            double worst = 1;
            for (Path photo : photos()) {
                byte[] jpeg = phoneSize(photo, width, height, enlarge);
                PreparedFace a = coarse.prepare(jpeg, FaceSelection.LARGEST, "image", new StageTimings());
                PreparedFace b = full.prepare(jpeg, FaceSelection.LARGEST, "image", new StageTimings());
                if (!a.face().box().equals(b.face().box())) {
                    kept++;
                }
                if (iou(a.face().box(), b.face().box()) < 0.5) {
                    other.add(photo.getFileName().toString());
                    continue;
                }
                double cosine = Vectors.cosine(embed(model, a), embed(model, b));
                sameFace++;
                sum += cosine;
                worst = Math.min(worst, cosine);
            }
            System.out.printf(Locale.ROOT, "coarse look, %dx%d at %.0fx: kept %d of 24; another face chosen in %s; the "
                    + "same face's cosine to the full look's: mean %.4f, lowest %.4f%n", width, height, enlarge, kept,
                    other, sum / sameFace, worst);
            assertThat(other).as("photos whose largest face differs between the looks (two faces of about one size)")
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(sum / sameFace).as("mean cosine, coarse against full look").isGreaterThanOrEqualTo(0.98);
            assertThat(worst).as("lowest cosine, coarse against full look").isGreaterThanOrEqualTo(0.93);
            if (enlarge == 12) {
                assertThat(kept).as("filled frames answered by the coarse look").isEqualTo(24);
            }
        }
    }

    /** Selections that weigh every face, and photos no larger than the coarse copy, take the full look. */
    @Test
    void smallPhotosAndOtherSelectionsTakeTheFullLook() throws Exception {
        FacePipeline coarse = pipeline(true);
        FacePipeline full = pipeline(false);
        Path photo = photos().get(0);
        byte[] small = Files.readAllBytes(photo);
        assertThat(coarse.prepare(small, FaceSelection.LARGEST, "image", new StageTimings()).face().box())
                .isEqualTo(full.prepare(small, FaceSelection.LARGEST, "image", new StageTimings()).face().box());
        byte[] filled = phoneSize(photo, 3000, 3000, 12);
        for (FaceSelection other : List.of(FaceSelection.CENTER, FaceSelection.SCORE, FaceSelection.SINGLE)) {
            assertThat(coarse.prepare(filled, other, "image", new StageTimings()).face().box()).as(other.name())
                    .isEqualTo(full.prepare(filled, other, "image", new StageTimings()).face().box());
        }
        assertThat(coarse.prepare(filled, FaceSelection.PROMINENT, "image", new StageTimings()).face().box())
                .isNotEqualTo(full.prepare(filled, FaceSelection.PROMINENT, "image", new StageTimings()).face().box());
    }
}
