package dev.faceoff.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.faceoff.model.ModelManifest;

/** The impostor tail that {@code evaluate --calibrate} writes for identification thresholds. */
class ImpostorTailTest {

    @Test
    void theTailGoesOneTwoFivePerDecadeDownToTenAcceptedImpostors() {
        // LFW's all-pairs impostors: FAR × impostors is 5 at 2e-7, 14 at 5e-7
        double[] lfw = ModelScores.tailFars(29_640_749);
        assertThat(lfw).startsWith(1e-2, 5e-3, 2e-3, 1e-3, 5e-4).endsWith(2e-6, 1e-6, 5e-7).hasSize(14);
        assertThat(ModelScores.tailFars(1_000)).containsExactly(1e-2);
        assertThat(ModelScores.tailFars(999)).isEmpty();
        assertThat(ModelScores.tailFars(5_000)).containsExactly(1e-2, 5e-3, 2e-3);
    }

    @Test
    void eachTailPointIsTheServiceRuleThresholdAtItsFar() {
        // 200 people, one image each: 19,900 impostor pairs, tail 1e-2 … 1e-3 (5e-4 would accept 9)
        var random = new Random(7);
        var pairs = new ArrayList<PairList.Pair>();
        Map<String, float[]> embeddings = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            String image = "person" + i + "/a.jpg";
            float[] v = new float[8];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) random.nextGaussian();
            }
            embeddings.put(image, v);
            if (i > 0) {
                pairs.add(new PairList.Pair("person" + (i - 1) + "/a.jpg", image, false, 0));
            }
        }
        var list = new PairList("pairs.txt", Path.of("."), pairs, 1);
        var calibration = ModelScores.Calibration.of(list, embeddings);

        assertThat(calibration.negatives()).isEqualTo(19_900);
        List<ModelManifest.TailPoint> tail = calibration.tail();
        assertThat(tail).extracting(ModelManifest.TailPoint::far).containsExactly(1e-2, 5e-3, 2e-3, 1e-3);
        var scores = new ArrayList<Float>();
        var images = new ArrayList<>(embeddings.values());
        for (int i = 0; i < images.size(); i++) {
            for (int j = i + 1; j < images.size(); j++) {
                float s = 0;
                for (int k = 0; k < 8; k++) {
                    s += images.get(i)[k] * images.get(j)[k];
                }
                scores.add(s);
            }
        }
        for (var point : tail) {
            long accepted = scores.stream().filter(s -> s >= point.cosine()).count();
            assertThat(accepted).isEqualTo((long) Math.floor(point.far() * 19_900 + 1e-9))
                    .isGreaterThanOrEqualTo(ModelScores.TAIL_MIN_ACCEPTED);
        }
        // the thresholds section and the tail agree where they meet
        assertThat(calibration.thresholds().get("1e-3")[0]).isEqualTo(tail.get(3).cosine());
        assertThat(tail).extracting(ModelManifest.TailPoint::cosine).isSorted();
    }
}
