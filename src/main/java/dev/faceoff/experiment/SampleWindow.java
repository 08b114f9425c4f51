package dev.faceoff.experiment;

/** The latest values of a measurement (a ring buffer), for quantiles over recent traffic. Thread-safe. */
final class SampleWindow {

    private final double[] values;
    private long count;

    SampleWindow(int capacity) {
        this.values = new double[capacity];
    }

    synchronized void add(double value) {
        values[(int) (count % values.length)] = value;
        count++;
    }

    /** The values held (at most the capacity, the latest ones), in no particular order. */
    synchronized double[] snapshot() {
        int n = (int) Math.min(count, values.length);
        double[] copy = new double[n];
        System.arraycopy(values, 0, copy, 0, n);
        return copy;
    }

    int capacity() {
        return values.length;
    }
}
