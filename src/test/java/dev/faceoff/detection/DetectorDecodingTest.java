package dev.faceoff.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faceoff.common.ErrorCode;
import dev.faceoff.common.FaceoffException;

class DetectorDecodingTest {

    @Test
    void nmsKeepsTheBestOfOverlappingBoxesAndAllSeparateOnes() {
        var a = new DetectedFace(new Box(0, 0, 100, 100), 0.9);
        var b = new DetectedFace(new Box(5, 5, 105, 105), 0.95);   // IoU with a ≈ 0.82
        var c = new DetectedFace(new Box(200, 200, 260, 260), 0.8);
        var d = new DetectedFace(new Box(60, 0, 160, 100), 0.85);   // IoU with b ≈ 0.37: kept at 0.4
        List<DetectedFace> kept = DetectorDecoding.nms(List.of(a, b, c, d), 0.4);
        assertThat(kept).containsExactly(b, d, c);
    }

    @Test
    void decodeScalesNormalisedCornersToTheImageThresholdsAndClips() {
        // three anchors: a face, a weak face, and a face partly outside the image
        float[] scores = {0.1f, 0.9f, 0.5f, 0.5f, 0.05f, 0.95f};
        float[] boxes = {0.25f, 0.25f, 0.75f, 0.75f, 0.1f, 0.1f, 0.2f, 0.2f, 0.9f, 0.8f, 1.2f, 1.1f};
        List<DetectedFace> faces = DetectorDecoding.decode(scores, boxes, 400, 200, 0.7, 0.4, 10);
        assertThat(faces).hasSize(2);
        assertThat(faces.get(0).score()).isEqualTo(0.95f, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(faces.get(0).box()).isEqualTo(new Box(0.9f * 400, 0.8f * 200, 400, 200));
        assertThat(faces.get(1).box()).isEqualTo(new Box(0.25f * 400, 0.25f * 200, 0.75f * 400, 0.75f * 200));
    }

    @Test
    void decodeDropsBoxesSmallerThanTheMinimumFaceSize() {
        float[] scores = {0f, 1f};
        float[] boxes = {0.1f, 0.1f, 0.12f, 0.2f};   // 8 px wide on a 400 px image
        assertThat(DetectorDecoding.decode(scores, boxes, 400, 400, 0.5, 0.4, 10)).isEmpty();
    }

    @Test
    void iouOfIdenticalDisjointAndHalfOverlappingBoxes() {
        Box box = new Box(0, 0, 10, 10);
        assertThat(box.iou(box)).isEqualTo(1.0);
        assertThat(box.iou(new Box(20, 20, 30, 30))).isZero();
        assertThat(box.iou(new Box(5, 0, 15, 10))).isEqualTo(50.0 / 150.0);
    }

    @Test
    void selectionPolicies() {
        var big = new DetectedFace(new Box(0, 0, 100, 100), 0.8);
        var central = new DetectedFace(new Box(180, 180, 220, 220), 0.7);
        var confident = new DetectedFace(new Box(300, 0, 340, 40), 0.99);
        var faces = List.of(big, central, confident);
        assertThat(FaceSelection.LARGEST.choose(faces, 400, 400, "x")).isEqualTo(big);
        assertThat(FaceSelection.CENTER.choose(faces, 400, 400, "x")).isEqualTo(central);
        assertThat(FaceSelection.SCORE.choose(faces, 400, 400, "x")).isEqualTo(confident);
        // prominent: a small central face does not beat a big one; of two comparable faces, the central one
        assertThat(FaceSelection.PROMINENT.choose(faces, 400, 400, "x")).isEqualTo(big);
        var bigCentral = new DetectedFace(new Box(140, 140, 220, 220), 0.7);   // 64% of big's area
        assertThat(FaceSelection.PROMINENT.choose(List.of(big, bigCentral, confident), 400, 400, "x")).isEqualTo(bigCentral);
        assertThat(FaceSelection.SINGLE.choose(List.of(big), 400, 400, "x")).isEqualTo(big);
        assertThatThrownBy(() -> FaceSelection.SINGLE.choose(faces, 400, 400, "image1"))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MULTIPLE_FACES));
        assertThatThrownBy(() -> FaceSelection.LARGEST.choose(List.of(), 400, 400, "image2"))
                .isInstanceOfSatisfying(FaceoffException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_FACE));
        assertThat(FaceSelection.parse("Center")).isEqualTo(FaceSelection.CENTER);
        assertThatThrownBy(() -> FaceSelection.parse("biggest")).isInstanceOf(FaceoffException.class);
    }
}
