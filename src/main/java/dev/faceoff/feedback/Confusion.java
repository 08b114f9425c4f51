package dev.faceoff.feedback;

/**
 * Feedback counts of one variant: decisions against the truth. Pure arithmetic.
 * FAR = false accepts / different-person pairs; FRR = false rejects / same-person pairs.
 */
public record Confusion(long trueAccepts, long falseAccepts, long trueRejects, long falseRejects) {

    public static final Confusion NONE = new Confusion(0, 0, 0, 0);

    public Confusion plus(Outcome outcome, long n) {
        return switch (outcome) {
            case TRUE_ACCEPT -> new Confusion(trueAccepts + n, falseAccepts, trueRejects, falseRejects);
            case FALSE_ACCEPT -> new Confusion(trueAccepts, falseAccepts + n, trueRejects, falseRejects);
            case TRUE_REJECT -> new Confusion(trueAccepts, falseAccepts, trueRejects + n, falseRejects);
            case FALSE_REJECT -> new Confusion(trueAccepts, falseAccepts, trueRejects, falseRejects + n);
        };
    }

    public Confusion plus(Confusion other) {
        return new Confusion(trueAccepts + other.trueAccepts, falseAccepts + other.falseAccepts,
                trueRejects + other.trueRejects, falseRejects + other.falseRejects);
    }

    /** Labelled pairs of different people. */
    public long impostorPairs() {
        return falseAccepts + trueRejects;
    }

    /** Labelled pairs of the same person. */
    public long genuinePairs() {
        return trueAccepts + falseRejects;
    }

    public long total() {
        return impostorPairs() + genuinePairs();
    }

    /** False-accept rate, NaN without impostor pairs. */
    public double far() {
        return impostorPairs() == 0 ? Double.NaN : (double) falseAccepts / impostorPairs();
    }

    /** False-reject rate, NaN without genuine pairs. */
    public double frr() {
        return genuinePairs() == 0 ? Double.NaN : (double) falseRejects / genuinePairs();
    }
}
