package dev.faceoff.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.image.OpenCvLoader;

/** A pixel found in a turned image maps back to where it is in the unturned one, for every turn. */
class RotationTest {

    static {
        OpenCvLoader.load();
    }

    @Test
    void pointsAndBoxesComeBackToTheUnturnedImage() {
        int width = 7;
        int height = 5;
        for (Rotation r : Rotation.values()) {
            Mat image = Mat.zeros(height, width, CvType.CV_8UC1);
            image.put(1, 2, 255);   // row 1, column 2
            Mat turned = r.apply(image);
            var max = Core.minMaxLoc(turned);
            double[] back = r.undo(max.maxLoc.x + 0.5, max.maxLoc.y + 0.5, width, height);
            assertThat(back[0]).as(r.name()).isCloseTo(2.5, within(1e-9));
            assertThat(back[1]).as(r.name()).isCloseTo(1.5, within(1e-9));

            var face = new DetectedFace(new Box(max.maxLoc.x, max.maxLoc.y, max.maxLoc.x + 1, max.maxLoc.y + 1), 0.9,
                    new double[]{max.maxLoc.x + 0.5, max.maxLoc.y + 0.5, 0, 0, 0, 0, 0, 0, 0, 0});
            DetectedFace undone = r.undo(face, width, height);
            assertThat(undone.box()).as(r.name()).isEqualTo(new Box(2, 1, 3, 2));
            assertThat(undone.points5()[0]).isCloseTo(2.5, within(1e-9));
            if (turned != image) {
                turned.release();
            }
            image.release();
        }
    }
}
