package dev.faceoff.evaluation;

import java.util.List;

/**
 * What users feel: the official pairs decided at the threshold the model is served with (its calibration at
 * {@link EvaluateJob#SERVED_FAR}) — the share of same-person pairs refused (FRR) and of different-person pairs
 * accepted (FAR). A pair with a missing face scores −1, so it is refused. Pure.
 *
 * @param threshold the served cosine threshold
 * @param source    where it came from (the data set it was calibrated on, or a report file)
 */
record ServedDecision(String model, boolean flip, double threshold, String source, int same, int different,
                      int falseRejects, int falseAccepts, double frr, double far) {

    static ServedDecision of(String model, boolean flip, double threshold, String source, List<PairList.Pair> pairs,
                             double[] scores) {
        if (scores.length != pairs.size()) {
            throw new IllegalArgumentException(scores.length + " scores for " + pairs.size() + " pairs");
        }
        int same = 0;
        int different = 0;
        int falseRejects = 0;
        int falseAccepts = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean accepted = scores[i] >= threshold;
            if (pairs.get(i).same()) {
                same++;
                falseRejects += accepted ? 0 : 1;
            } else {
                different++;
                falseAccepts += accepted ? 1 : 0;
            }
        }
        return new ServedDecision(model, flip, threshold, source, same, different, falseRejects, falseAccepts,
                same == 0 ? Double.NaN : (double) falseRejects / same,
                different == 0 ? Double.NaN : (double) falseAccepts / different);
    }
}
