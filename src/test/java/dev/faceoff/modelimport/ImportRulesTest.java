package dev.faceoff.modelimport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.faceoff.model.ModelManifest.Color;
import dev.faceoff.model.ModelManifest.Layout;
import dev.faceoff.evaluation.PairList;
import dev.faceoff.model.Signature;

/** The rules of {@code import} and its probe that need no model: layout, output choice, candidates, the verdict. */
class ImportRulesTest {

    @Test
    void theLayoutIsReadFromTheChannelAxisOrAsked() {
        assertThat(ImportJob.layout("x", new long[]{-1, 3, 112, 112})).isEqualTo(Layout.NCHW);
        assertThat(ImportJob.layout("x", new long[]{1, 112, 96, 3})).isEqualTo(Layout.NHWC);
        assertThatThrownBy(() -> ImportJob.layout("x", new long[]{1, 3, 3, 3})).hasMessageContaining("--layout");
    }

    @Test
    void theEmbeddingIsTheOneTwoDimensionalOutputOrNamed() {
        var outputs = new LinkedHashMap<String, long[]>();
        outputs.put("fc1", new long[]{-1, 512});
        outputs.put("landmarks", new long[]{-1, 5, 2});
        assertThat(ImportJob.embeddingOutput(new Signature(Map.of(), outputs))).isEqualTo("fc1");
        outputs.put("logits", new long[]{-1, 10572});
        assertThatThrownBy(() -> ImportJob.embeddingOutput(new Signature(Map.of(), outputs)))
                .hasMessageContaining("--output").hasMessageContaining("logits [-1, 10572]");
    }

    @Test
    void eightCandidatesWithImagenetInTheTensorsChannelOrder() {
        var candidates = PreprocessingProbe.candidates();
        assertThat(candidates).hasSize(8);
        var bgrImagenet = candidates.stream().filter(c -> c.color() == Color.BGR && c.normalisation().equals("ImageNet"))
                .findFirst().orElseThrow();
        assertThat(bgrImagenet.mean()).containsExactly(103.53, 116.28, 123.675);
        assertThat(bgrImagenet.std()).containsExactly(57.375, 57.12, 58.395);
    }

    private static PreprocessingProbe.Result result(Color color, String normalisation, double dPrime) {
        var c = PreprocessingProbe.candidates().stream()
                .filter(x -> x.color() == color && x.normalisation().equals(normalisation)).findFirst().orElseThrow();
        return new PreprocessingProbe.Result(c, dPrime, 0.99, 0.6, 0.0);
    }

    @Test
    void theBestIsChosenAndAClearlyWorseGivenChoiceIsWarnedAbout() {
        var results = List.of(result(Color.BGR, "x/255", 4.0), result(Color.RGB, "ImageNet", 5.94),
                result(Color.RGB, "(x-127.5)/128", 5.58), result(Color.BGR, "ImageNet", 5.26));
        var free = PreprocessingProbe.decide(results, null, null, null);
        assertThat(free.best().candidate().label()).isEqualTo("RGB ImageNet");
        assertThat(free.chosen()).isSameAs(free.best());
        assertThat(free.warning()).isNull();

        // the colour given: the best of that colour, and a warning (5.26 is below 0.9 × 5.94)
        var bgr = PreprocessingProbe.decide(results, Color.BGR, null, null);
        assertThat(bgr.chosen().candidate().label()).isEqualTo("BGR ImageNet");
        assertThat(bgr.warning()).contains("clearly worse").contains("RGB ImageNet");

        // close to the best: no warning
        var close = PreprocessingProbe.decide(results, Color.RGB, List.of(127.5), List.of(128.0));
        assertThat(close.chosen().candidate().label()).isEqualTo("RGB (x-127.5)/128");
        assertThat(close.warning()).isNull();

        // something the probe does not try: kept, and said so
        assertThat(PreprocessingProbe.decide(results, Color.RGB, List.of(1.0), List.of(2.0)).warning()).contains("not one the probe tries");
    }

    @Test
    void theProbeSpreadsItsPairsOverTheList() {
        var pairs = new java.util.ArrayList<PairList.Pair>();
        for (int i = 0; i < 6000; i++) {
            pairs.add(new PairList.Pair("a" + i, "b" + i, (i / 300) % 2 == 0, i / 600));
        }
        var sample = PreprocessingProbe.sample(new PairList("pairs.txt", java.nio.file.Path.of("."), pairs, 10), 300);
        assertThat(sample).hasSize(300);
        assertThat(sample.stream().filter(PairList.Pair::same).count()).isEqualTo(150);
        assertThat(sample.stream().map(PairList.Pair::fold).distinct().count()).isEqualTo(10);
    }
}
