package dev.faceoff.modelimport;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.faceoff.embedding.Vectors;
import dev.faceoff.evaluation.FacePreparation;
import dev.faceoff.evaluation.PairList;
import dev.faceoff.evaluation.VerificationMetrics;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelManifest.Color;

/**
 * Finds how an embedder wants its pixels: embeds the faces of a few hundred labelled pairs under each plausible
 * pre-processing (RGB or BGR × four normalisations) and measures how well each separates same from different
 * people. A wrong guess does not fail, it quietly costs accuracy; here it shows as a lower d′.
 */
@Component
final class PreprocessingProbe {

    /**
     * A d′ below this share of the best's is "clearly worse". On the third-party fixture the wrong colour order
     * scored 0.89 of the best (5.26 against 5.94) and x/255 0.74; (x−127.5)/128 instead of ImageNet's values 0.94,
     * with the same accuracy.
     */
    static final double CLEARLY_WORSE_SHARE = 0.9;

    /** Folds the pairs are spread over for the accuracy when their list has one fold only. */
    static final int FOLDS = 10;

    private final FacePreparation preparation;

    PreprocessingProbe(FacePreparation preparation) {
        this.preparation = preparation;
    }

    /**
     * One way of turning pixels (0…255) into the model's input: colour order and per-channel mean and std in the
     * model's channel order.
     */
    record Candidate(String normalisation, Color color, List<Double> mean, List<Double> std) {

        String label() {
            return color + " " + normalisation;
        }

        boolean matches(Color wantedColor, List<Double> wantedMean, List<Double> wantedStd) {
            return (wantedColor == null || wantedColor == color)
                    && (wantedMean == null || same(wantedMean, mean)) && (wantedStd == null || same(wantedStd, std));
        }

        private static boolean same(List<Double> a, List<Double> b) {
            int n = Math.max(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                if (Math.abs(a.get(a.size() == 1 ? 0 : i) - b.get(b.size() == 1 ? 0 : i)) > 1e-3) {
                    return false;
                }
            }
            return true;
        }
    }

    /** ImageNet's per-channel mean and std, in RGB order, for pixels 0…255. */
    static final List<Double> IMAGENET_MEAN = List.of(123.675, 116.28, 103.53);   // 255 × (0.485, 0.456, 0.406)
    static final List<Double> IMAGENET_STD = List.of(58.395, 57.12, 57.375);      // 255 × (0.229, 0.224, 0.225)

    /** The eight pre-processings tried: RGB and BGR × (x−127.5)/127.5, (x−127.5)/128, x/255, ImageNet's. */
    static List<Candidate> candidates() {
        var all = new ArrayList<Candidate>();
        for (Color color : new Color[]{Color.RGB, Color.BGR}) {
            all.add(new Candidate("(x-127.5)/127.5", color, List.of(127.5), List.of(127.5)));
            all.add(new Candidate("(x-127.5)/128", color, List.of(127.5), List.of(128.0)));
            all.add(new Candidate("x/255", color, List.of(0.0), List.of(255.0)));
            // per channel in the tensor's order: ImageNet's values are for R, G, B
            all.add(new Candidate("ImageNet", color, inOrder(IMAGENET_MEAN, color), inOrder(IMAGENET_STD, color)));
        }
        return all;
    }

    /** How one candidate separated the pairs. */
    record Result(Candidate candidate, double dPrime, double accuracy, double sameMean, double differentMean) {
    }

    /** The probe's verdict: every result, best first, and the one chosen among those the given flags allow. */
    record Outcome(List<Result> results, Result chosen, String warning) {

        Result best() {
            return results.get(0);
        }
    }

    /** The pairs of a list the probe uses: {@code count} of them, spread evenly over the list (so over every fold). */
    static List<PairList.Pair> sample(PairList pairs, int count) {
        List<PairList.Pair> all = pairs.pairs();
        if (count >= all.size()) {
            return all;
        }
        var chosen = new ArrayList<PairList.Pair>(count);
        for (int i = 0; i < count; i++) {
            chosen.add(all.get((int) ((long) i * all.size() / count)));
        }
        return chosen;
    }

    /**
     * Embeds the faces of {@code count} pairs of the list (spread over it: {@link #sample}) under each candidate and
     * scores the pairs; the faces come from the evaluation cache, as {@code evaluate} finds them.
     *
     * @param draft the model with its session; its manifest's input is replaced by each candidate's in turn
     */
    List<Result> run(LoadedModel draft, PairList list, int count, int threads, PrintStream out) {
        var pairs = sample(list, count);
        var chosen = new PairList(list.name(), list.root(), pairs, list.folds());
        out.printf("import: probing pre-processing on %d pairs of %s (%d images), %d candidates%n", pairs.size(),
                list.name(), chosen.images().size(), candidates().size());
        var faces = preparation.faces(chosen, threads, out);
        var results = new ArrayList<Result>();
        for (Candidate candidate : candidates()) {
            var embeddings = preparation.embed(with(draft, candidate), faces, "probe " + candidate.label(), threads, out);
            results.add(score(candidate, pairs, embeddings));
        }
        return results;
    }

    /** A pair whose face was not found in either image is left out (the same pairs for every candidate). */
    static Result score(Candidate candidate, List<PairList.Pair> pairs, Map<String, float[]> embeddings) {
        var scored = pairs.stream().filter(p -> embeddings.containsKey(p.image1()) && embeddings.containsKey(p.image2()))
                .toList();
        boolean oneFold = scored.stream().mapToInt(PairList.Pair::fold).distinct().count() < 2;
        double[] scores = new double[scored.size()];
        boolean[] same = new boolean[scored.size()];
        int[] fold = new int[scored.size()];
        var sameScores = new ArrayList<Double>();
        var differentScores = new ArrayList<Double>();
        for (int i = 0; i < scores.length; i++) {
            PairList.Pair p = scored.get(i);
            scores[i] = Vectors.cosine(embeddings.get(p.image1()), embeddings.get(p.image2()));
            same[i] = p.same();
            fold[i] = oneFold ? i % FOLDS : p.fold();
            (p.same() ? sameScores : differentScores).add(scores[i]);
        }
        int folds = java.util.Arrays.stream(fold).max().orElse(0) + 1;
        double accuracy = scores.length == 0 ? 0 : VerificationMetrics.kFoldAccuracy(scores, same, fold, folds).mean();
        var separation = VerificationMetrics.separation(array(sameScores), array(differentScores));
        return new Result(candidate, separation.dPrime(), accuracy, separation.sameMean(), separation.differentMean());
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Best first (by d′); the chosen one is the best of those that match what was given ({@code null}: not given),
     * with a warning when the best overall is clearly better than it.
     */
    static Outcome decide(List<Result> results, Color color, List<Double> mean, List<Double> std) {
        var ranked = results.stream().sorted(Comparator.comparingDouble(Result::dPrime).reversed()).toList();
        Result chosen = ranked.stream().filter(r -> r.candidate().matches(color, mean, std)).findFirst().orElse(null);
        Result best = ranked.get(0);
        String warning = null;
        if (chosen == null) {
            warning = "the given pre-processing is not one the probe tries; kept as given, unmeasured";
        } else if (chosen.dPrime() < CLEARLY_WORSE_SHARE * best.dPrime()) {
            warning = String.format(Locale.ROOT, "the given pre-processing (%s: d' %.2f, accuracy %.2f%%) is clearly "
                            + "worse than %s (d' %.2f, accuracy %.2f%%); check the model's documentation",
                    chosen.candidate().label(), chosen.dPrime(), 100 * chosen.accuracy(), best.candidate().label(),
                    best.dPrime(), 100 * best.accuracy());
        }
        return new Outcome(ranked, chosen, warning);
    }

    /** Per-channel values given for R, G, B, in a tensor's channel order. */
    static List<Double> inOrder(List<Double> rgb, Color color) {
        return color == Color.BGR ? List.of(rgb.get(2), rgb.get(1), rgb.get(0)) : rgb;
    }

    /** The draft model with a candidate's pre-processing (same session; a name of its own for the batcher). */
    static LoadedModel with(LoadedModel draft, Candidate c) {
        ModelManifest m = draft.manifest();
        var in = m.input();
        var input = new ModelManifest.Input(in.name(), in.shape(), in.layout(), c.color(), c.mean(), c.std());
        return new LoadedModel(m.with(m.name() + " [" + c.label() + "]", input, m.notes()), draft.session(),
                draft.provider(), draft.directory());
    }
}
