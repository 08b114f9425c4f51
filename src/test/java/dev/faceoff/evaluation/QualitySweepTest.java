package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectedFace;
import dev.faceoff.face.FaceQuality;
import dev.faceoff.face.PreparedFace;

/** The min_quality sweep on a hand-made pair list whose every count is known. */
class QualitySweepTest {

    static FaceRecord face(double quality) {
        var q = new FaceQuality(quality, 0.9, 40, 0, 0, 100, 120, 0, "pose");
        return FaceRecord.ok(new PreparedFace(new AlignedFace(new byte[112 * 112 * 3], 112),
                new DetectedFace(new Box(0, 0, 10, 10), 0.9), new double[10], 100, 100, 1, q));
    }

    @Test
    void countsRefusedImagesPairsAndErrorsAtEachSetting() {
        // a, b: frontal, good; p: profile, poor. Vectors: a and b agree, p points elsewhere.
        var faces = Map.of("1/frontal/a.jpg", face(0.9), "1/frontal/b.jpg", face(0.8), "1/profile/p.jpg", face(0.04),
                "2/frontal/c.jpg", face(0.9));
        var vectors = Map.of("1/frontal/a.jpg", new float[]{1, 0}, "1/frontal/b.jpg", new float[]{1, 0},
                "1/profile/p.jpg", new float[]{0, 1}, "2/frontal/c.jpg", new float[]{0.6f, 0.8f});
        var pairs = new PairList("t", Path.of("."), List.of(
                new PairList.Pair("1/frontal/a.jpg", "1/frontal/b.jpg", true, 0),    // right (cos 1)
                new PairList.Pair("1/frontal/a.jpg", "1/profile/p.jpg", true, 0),    // wrong: a false reject (cos 0)
                new PairList.Pair("1/profile/p.jpg", "2/frontal/c.jpg", false, 0),   // wrong: a false accept (cos 0.8)
                new PairList.Pair("1/frontal/b.jpg", "2/frontal/c.jpg", false, 0)),  // right (cos 0.6)
                1);
        var sweep = QualitySweep.of("m", false, 0.7, 1e-3, "lfw", pairs, faces, vectors);
        assertThat(sweep.pairs()).isEqualTo(4);
        assertThat(sweep.errors()).isEqualTo(2);
        QualitySweep.Row off = sweep.rows().get(0);
        assertThat(off.pairsRejected()).isZero();
        assertThat(off.farKept()).isCloseTo(0.5, within(1e-12));
        assertThat(off.frrKept()).isCloseTo(0.5, within(1e-12));
        assertThat(off.accuracyKept()).isCloseTo(0.5, within(1e-12));
        QualitySweep.Row gate = sweep.rows().stream().filter(r -> r.minQuality() == 0.05).findFirst().orElseThrow();
        assertThat(gate.imagesRejected()).containsEntry("frontal", 0.0).containsEntry("profile", 1.0);
        assertThat(gate.pairsRejected()).isCloseTo(0.5, within(1e-12));
        assertThat(gate.errorsRejected()).isCloseTo(1.0, within(1e-12));
        assertThat(gate.accuracyKept()).isCloseTo(1.0, within(1e-12));
        assertThat(sweep.halfTheErrors()).contains(gate);
        assertThat(QualitySweep.group("x/y.jpg")).isEqualTo("all");
    }
}
