package dev.faceoff.evaluation;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress line with count, rate and ETA, redrawn in place on a terminal and printed every few
 * seconds otherwise (CI logs). Thread-safe; close it to print the final line.
 */
final class Progress implements AutoCloseable {

    private final String label;
    private final long total;
    private final long skipped;
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final Thread printer;

    /** @param skipped items already done by an earlier run (counted as done, excluded from the rate) */
    Progress(String label, long total, long skipped, PrintStream out) {
        this.label = label;
        this.total = total;
        this.skipped = skipped;
        this.out = out;
        this.terminal = System.console() != null;
        done.set(skipped);
        printer = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(terminal ? 500 : 5000);
                    print(false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "progress-" + label);
        printer.setDaemon(true);
        printer.start();
    }

    void step() {
        done.incrementAndGet();
    }

    @Override
    public void close() {
        printer.interrupt();
        print(true);
    }

    private synchronized void print(boolean last) {
        out.print((terminal ? "\r" : "") + line(done.get(), System.nanoTime() - started) + (terminal && !last ? "" : "\n"));
        out.flush();
    }

    String line(long count, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? (count - skipped) / seconds : 0;
        double fraction = total == 0 ? 1 : (double) count / total;
        int width = 24;
        int filled = (int) Math.round(fraction * width);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String eta = rate > 0 ? duration((total - count) / rate) : "?";
        return String.format("[%s] %s %d/%d %5.1f%% %.1f/s elapsed %s ETA %s%s", label, bar, count, total,
                fraction * 100, rate, duration(seconds), eta, skipped > 0 ? " (" + skipped + " cached)" : "");
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s % 3600 / 60, s % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
