package dev.faceoff.gallery;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An int8 copy of {@link TemplateMatrix}'s rows, for the coarse pass of its exact search: each row scaled by its
 * largest magnitude to codes in [−127, 127], four codes packed in an int, in blocks of 256 KiB laid out by
 * column (the int of row {@code r} holding dimensions 4j..4j+3 at {@code j × blockRows + r % blockRows}), so the
 * scan is an element-wise multiply-add over the rows of a block that C2 vectorizes (JDK 17 does not vectorize a
 * float reduction, nor a byte-to-int widening: hence ints, unpacked by shifts). A quarter of the float rows'
 * memory traffic.
 *
 * <p>Each row keeps what bounds its coarse score: its scale, and, computed at insert, {@code ‖x − x̂‖} (x̂ the
 * row its codes stand for) plus the float rounding of the exact dot product ({@code γ‖x‖}), and {@code ‖x̂‖}.
 * For a query q quantized to q̂ (16-bit codes), the float similarity {@link TemplateMatrix#dot} computes lies
 * within {@code ‖q‖(‖x − x̂‖ + γ‖x‖) + ‖q − q̂‖‖x̂‖} of {@code q̂ · x̂}, which the integer codes give exactly:
 * {@link #scan} writes that interval per row. Not thread-safe; {@link TemplateMatrix} owns it.
 */
final class QuantizedRows {

    static final int BLOCK_INTS = 64 * 1024;
    static final int CODE_MAX = 127;
    /** The bound's margin for the rounding of its own double arithmetic (relative, then absolute). */
    private static final double MARGIN = 1e-6;
    private static final double ABSOLUTE_MARGIN = 1e-9;

    private final int dimension;
    private final int words;
    private final int blockRows;
    /** The query's largest code: {@code dimension × queryMax × 127} stays below 2³¹, so no sum overflows. */
    private final int queryMax;
    /** γ = hu / (1 − hu), u = 2⁻²⁴: each product passes at most dimension/4 + 3 roundings in {@link TemplateMatrix#dot}. */
    private final double gamma;
    private int[][] blocks = new int[0][];
    private float[] scale;
    private float[] slack;
    private float[] decodedNorm;

    QuantizedRows(int dimension, int capacity) {
        this.dimension = dimension;
        this.words = (dimension + 3) / 4;
        this.blockRows = Math.max(1, BLOCK_INTS / words);
        this.queryMax = (int) Math.min(32767, (Integer.MAX_VALUE / ((long) CODE_MAX * words * 4)));
        double hu = (dimension + 8) * 0x1p-24;
        this.gamma = hu / (1 - hu);
        int initial = Math.max(capacity, 16);
        this.scale = new float[initial];
        this.slack = new float[initial];
        this.decodedNorm = new float[initial];
    }

    int blockRows() {
        return blockRows;
    }

    /** Writes {@code row} (at most one past the last): its codes and bounds. */
    void set(int row, float[] template) {
        if (row == scale.length) {
            int capacity = row + Math.max(16, row / 2);
            scale = Arrays.copyOf(scale, capacity);
            slack = Arrays.copyOf(slack, capacity);
            decodedNorm = Arrays.copyOf(decodedNorm, capacity);
        }
        if (row / blockRows == blocks.length) {
            blocks = Arrays.copyOf(blocks, blocks.length + 1);
            blocks[blocks.length - 1] = new int[blockRows * words];
        }
        float largest = 0;
        for (float v : template) {
            largest = Math.max(largest, Math.abs(v));
        }
        float s = largest / CODE_MAX;
        int[] block = blocks[row / blockRows];
        int column = row % blockRows;
        double error = 0;
        double decoded = 0;
        double norm = 0;
        for (int j = 0; j < words; j++) {
            int word = 0;
            for (int b = 0; b < 4; b++) {
                int i = 4 * j + b;
                if (i >= dimension) {
                    break;
                }
                int code = s > 0 ? (int) Math.max(-CODE_MAX, Math.min(CODE_MAX, Math.rint(template[i] / s))) : 0;
                double value = (double) s * code;
                error += (template[i] - value) * (template[i] - value);
                decoded += value * value;
                norm += (double) template[i] * template[i];
                word |= (code & 0xFF) << (8 * b);
            }
            block[j * blockRows + column] = word;
        }
        scale[row] = s;
        slack[row] = up(Math.sqrt(error) + gamma * Math.sqrt(norm));
        decodedNorm[row] = up(Math.sqrt(decoded));
    }

    /** Copies row {@code from}'s codes and bounds to row {@code to} (a removal fills its hole with the last row). */
    void move(int from, int to) {
        int[] source = blocks[from / blockRows];
        int[] target = blocks[to / blockRows];
        int f = from % blockRows;
        int t = to % blockRows;
        for (int j = 0; j < words; j++) {
            target[j * blockRows + t] = source[j * blockRows + f];
        }
        scale[to] = scale[from];
        slack[to] = slack[from];
        decodedNorm[to] = decodedNorm[from];
    }

    /** Lets blocks beyond {@code rows} go. */
    void truncate(int rows) {
        int needed = (rows + blockRows - 1) / blockRows;
        if (blocks.length > needed) {
            blocks = Arrays.copyOf(blocks, needed);
        }
    }

    /** A query quantized for {@link #scan}: its 16-bit codes and scale, its norm and its quantization error's norm. */
    record Query(int[] codes, double scale, double norm, double error) {
    }

    Query quantize(float[] query) {
        double largest = 0;
        double norm = 0;
        for (float v : query) {
            largest = Math.max(largest, Math.abs(v));
            norm += (double) v * v;
        }
        double s = largest / queryMax;
        int[] codes = new int[words * 4];
        double error = 0;
        for (int i = 0; i < dimension; i++) {
            codes[i] = s > 0 ? (int) Math.max(-queryMax, Math.min(queryMax, Math.rint(query[i] / s))) : 0;
            double e = query[i] - s * codes[i];
            error += e * e;
        }
        return new Query(codes, s, Math.sqrt(norm), Math.sqrt(error));
    }

    /**
     * The coarse pass over rows 0..rows−1: for each row, the interval in which its exact similarity lies,
     * {@code lower[r]} to {@code upper[r]} (the upper end rounded up to a float).
     */
    void scan(Query query, int rows, double[] lower, float[] upper) {
        scan(query, rows, lower, upper, Optional.empty());
    }

    /**
     * {@link #scan(Query, int, double[], float[])}, its blocks shared with a task given to {@code helper} when the
     * rows fill at least {@link #SHARED_BLOCKS} blocks: the caller and the task each take the next block not taken
     * (so the answer does not depend on who scans which), and the caller waits only for a block the task has begun.
     * A helper that starts late (every core busy) finds nothing left and returns: the scan is never slower than the
     * caller's alone by more than one block.
     */
    void scan(Query query, int rows, double[] lower, float[] upper, Optional<? extends Executor> helper) {
        int count = (rows + blockRows - 1) / blockRows;
        var next = new AtomicInteger();
        if (helper.isEmpty() || count < SHARED_BLOCKS) {
            scanBlocks(query, rows, lower, upper, next, count);
            return;
        }
        var helping = new AtomicInteger(NOT_STARTED);
        var finished = new CountDownLatch(1);
        try {
            helper.get().execute(() -> {
                if (helping.compareAndSet(NOT_STARTED, RUNNING)) {
                    try {
                        scanBlocks(query, rows, lower, upper, next, count);
                    } finally {
                        finished.countDown();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // no helper: the caller scans every block
        }
        scanBlocks(query, rows, lower, upper, next, count);
        if (!helping.compareAndSet(NOT_STARTED, WITHDRAWN)) {
            awaitUninterruptibly(finished);   // the helper's block in hand: at most one block's time
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The blocks to share: 16 of 512 rows (512-d) below which the hand-over costs more than it saves. */
    static final int SHARED_BLOCKS = 16;
    private static final int NOT_STARTED = 0;
    private static final int RUNNING = 1;
    private static final int WITHDRAWN = 2;

    private void scanBlocks(Query query, int rows, double[] lower, float[] upper, AtomicInteger next, int count) {
        int[] dots = new int[blockRows];
        int[] stripe = new int[blockRows];
        double inflate = 1 + MARGIN;
        for (int b = next.getAndIncrement(); b < count; b = next.getAndIncrement()) {
            int base = b * blockRows;
            int n = Math.min(blockRows, rows - base);
            dots(query.codes(), blocks[b], blockRows, n, words, dots, stripe);
            for (int i = 0; i < n; i++) {
                int r = base + i;
                double estimate = query.scale() * scale[r] * dots[i];
                double bound = (query.norm() * slack[r] + query.error() * decodedNorm[r]) * inflate + ABSOLUTE_MARGIN;
                upper[r] = up(estimate + bound);
                lower[r] = estimate - bound;
            }
        }
    }

    /**
     * {@code dots[r]} = the integer dot product of the query's codes with row r of {@code block}, r &lt; n. Each
     * column of four dimensions is copied to {@code stripe} first: with both arrays indexed alike, C2 (JDK 17)
     * vectorizes the loop (8 rows at a time with AVX2); reading the block at an offset directly, it does not.
     */
    static void dots(int[] query, int[] block, int blockRows, int n, int words, int[] dots, int[] stripe) {
        Arrays.fill(dots, 0, n, 0);
        for (int j = 0; j < words; j++) {
            int q0 = query[4 * j];
            int q1 = query[4 * j + 1];
            int q2 = query[4 * j + 2];
            int q3 = query[4 * j + 3];
            System.arraycopy(block, j * blockRows, stripe, 0, n);
            for (int r = 0; r < n; r++) {
                int w = stripe[r];
                dots[r] += q0 * ((w << 24) >> 24) + q1 * ((w << 16) >> 24) + q2 * ((w << 8) >> 24) + q3 * (w >> 24);
            }
        }
    }

    /** Bytes of the arrays. */
    long bytes() {
        return (long) blocks.length * blockRows * words * Integer.BYTES + 3L * scale.length * Float.BYTES;
    }

    /** The smallest float not below {@code v}. */
    private static float up(double v) {
        float f = (float) v;
        return f >= v ? f : Math.nextUp(f);
    }
}
