package dev.faceoff.evaluation;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.faceoff.embedding.Vectors;

/**
 * What a {@code min_quality} gate would do on a pair list, at the served threshold (the model's calibrated
 * cosine at the served FAR): for each setting, the share of images and pairs it refuses, the share of the
 * model's wrong decisions among the refused pairs, and the error rates on the pairs it keeps. Pure.
 *
 * Only pairs where both faces were found take part: a missing face is {@code no_face}, not a quality refusal.
 * Images are grouped by their folder when it is {@code frontal} or {@code profile} (CFP), else "all".
 */
record QualitySweep(String model, boolean flip, double threshold, double far, String thresholdDataset, int pairs,
                    int errors, List<Row> rows, long allNegatives, long allFalseAccepts) {

    static final double[] SETTINGS = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    /**
     * @param imagesRejected share of images with a face whose quality is below the setting, by group
     * @param pairsRejected  share of pairs refused (either face below the setting)
     * @param errorsRejected share of the wrong decisions that fall in refused pairs
     * @param farKept        false accepts / different pairs kept
     * @param frrKept        false rejects / same pairs kept
     */
    record Row(double minQuality, Map<String, Double> imagesRejected, double pairsRejected, double errorsRejected,
               double farKept, double frrKept, double accuracyKept) {
    }

    static QualitySweep of(String model, boolean flip, double threshold, double far, String thresholdDataset,
                           PairList list, Map<String, FaceRecord> faces, Map<String, float[]> embeddings) {
        var usable = list.pairs().stream().filter(p -> embeddings.containsKey(p.image1())
                && embeddings.containsKey(p.image2())).toList();
        int n = usable.size();
        boolean[] wrong = new boolean[n];
        double[] pairQuality = new double[n];
        int errors = 0;
        for (int i = 0; i < n; i++) {
            PairList.Pair p = usable.get(i);
            boolean accept = Vectors.cosine(embeddings.get(p.image1()), embeddings.get(p.image2())) >= threshold;
            wrong[i] = accept != p.same();
            errors += wrong[i] ? 1 : 0;
            pairQuality[i] = Math.min(quality(faces, p.image1()), quality(faces, p.image2()));
        }
        List<String> images = list.images().stream().filter(embeddings::containsKey).toList();
        var rows = new java.util.ArrayList<Row>();
        for (double q : SETTINGS) {
            var rejectedByGroup = new LinkedHashMap<String, Double>();
            var countByGroup = new LinkedHashMap<String, Integer>();
            for (String image : images) {
                String g = group(image);
                countByGroup.merge(g, 1, Integer::sum);
                rejectedByGroup.merge(g, quality(faces, image) < q ? 1.0 : 0.0, Double::sum);
            }
            rejectedByGroup.replaceAll((g, r) -> r / countByGroup.get(g));
            int refused = 0;
            int errorsRefused = 0;
            int sameKept = 0;
            int diffKept = 0;
            int falseAccepts = 0;
            int falseRejects = 0;
            for (int i = 0; i < n; i++) {
                if (pairQuality[i] < q) {
                    refused++;
                    errorsRefused += wrong[i] ? 1 : 0;
                } else if (usable.get(i).same()) {
                    sameKept++;
                    falseRejects += wrong[i] ? 1 : 0;
                } else {
                    diffKept++;
                    falseAccepts += wrong[i] ? 1 : 0;
                }
            }
            int kept = n - refused;
            rows.add(new Row(q, rejectedByGroup, ratio(refused, n), ratio(errorsRefused, errors),
                    ratio(falseAccepts, diffKept), ratio(falseRejects, sameKept),
                    ratio(kept - falseAccepts - falseRejects, kept)));
        }
        long[] all = allPairs(list, embeddings, threshold);
        return new QualitySweep(model, flip, threshold, far, thresholdDataset, n, errors, rows, all[0], all[1]);
    }

    /** FAR at the threshold over every cross-identity pair of the list's images with a face (many more negatives). */
    double allPairsFar() {
        return allNegatives == 0 ? Double.NaN : (double) allFalseAccepts / allNegatives;
    }

    /** {negatives, false accepts} over every cross-identity pair of the images with a face. */
    private static long[] allPairs(PairList list, Map<String, float[]> embeddings, double threshold) {
        List<String> images = list.images().stream().filter(embeddings::containsKey).sorted().toList();
        String[] identity = images.stream().map(PairList::identity).toArray(String[]::new);
        float[][] v = images.stream().map(embeddings::get).toArray(float[][]::new);
        long[][] counts = new long[images.size()][];
        java.util.stream.IntStream.range(0, images.size()).parallel().forEach(i -> {
            long negatives = 0;
            long accepted = 0;
            for (int j = i + 1; j < images.size(); j++) {
                if (!identity[i].equals(identity[j])) {
                    negatives++;
                    if (Vectors.cosine(v[i], v[j]) >= threshold) {
                        accepted++;
                    }
                }
            }
            counts[i] = new long[]{negatives, accepted};
        });
        long[] total = new long[2];
        for (long[] c : counts) {
            total[0] += c[0];
            total[1] += c[1];
        }
        return total;
    }

    /** The lowest setting that refuses at least half of the errors, if any. */
    java.util.Optional<Row> halfTheErrors() {
        return rows.stream().filter(r -> r.errorsRejected() >= 0.5).findFirst();
    }

    static String group(String image) {
        Path parent = Path.of(image).getParent();
        String name = parent == null ? "" : parent.getFileName().toString();
        return name.equals("frontal") || name.equals("profile") ? name : "all";
    }

    private static double quality(Map<String, FaceRecord> faces, String image) {
        return faces.get(image).face().quality().score();
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
