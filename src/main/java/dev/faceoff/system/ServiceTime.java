package dev.faceoff.system;

/**
 * The estimate of a worker's time per request ({@link WorkerQueue}): the plain mean of the first ten samples (so
 * a slow first request after start-up weighs 1/n), then an exponentially weighted mean, {@link #WEIGHT} for the
 * newest. A value: each sample gives the next estimate.
 *
 * @param nanos  the estimate, in nanoseconds; 0 before the first sample
 * @param served the samples taken
 */
record ServiceTime(long nanos, long served) {

    /** Nothing served yet. */
    static final ServiceTime NONE = new ServiceTime(0, 0);

    /** Weight of the newest sample once ten have been taken (before, 1/n: the mean). */
    static final double WEIGHT = 0.1;

    /** The estimate moved towards {@code sampleNanos}, a worker's time for one more request. */
    ServiceTime after(long sampleNanos) {
        long n = served + 1;
        double weight = Math.max(WEIGHT, 1.0 / n);
        return new ServiceTime(Math.round(nanos + weight * (sampleNanos - nanos)), n);
    }
}
