package dev.faceoff.gallery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The embedded store's exact index of one tenant and model: its templates in contiguous float32 blocks of
 * 256 KiB (row {@code r} in block {@code r / blockRows}; growing adds a block, never copies the vectors, so
 * the index holds at most one partly used block beyond its templates), each row's face and subject, and an int8
 * copy of the rows ({@link QuantizedRows}, a quarter of their size, in blocks of 256 KiB too). Blocks
 * stay under half of G1's smallest region (1 MiB): a larger array is "humongous" and takes whole regions,
 * measured: 922 MiB of heap instead of 627 for 2 MiB blocks of 300,000 512-d templates.
 *
 * <p>Search is exact: the result is the one a float32 dot product with every row gives (unit vectors: the
 * cosine similarity), the best row per subject, then the top k subjects ({@link #searchExhaustive} is that scan).
 * It gets there in two passes. The coarse pass scores every row from its int8 codes and bounds its exact
 * similarity within an interval (proved in {@link QuantizedRows}); each subject's best row is at least the
 * highest lower end among its rows, so the k-th best subject is at least τ, the k-th highest of those. The
 * second pass computes the float similarity of every row whose upper end reaches τ and its own subject's lower
 * end, and takes the best per subject and the top k from those. A row it skips is below a score that at
 * least k subjects reach (or below its own subject's best), so it can be no top subject's best row; every row
 * that ties a top subject's best is re-scored, in row order, so the same face wins the tie. Removing a row
 * moves the last one into its place. Not thread-safe: {@link EmbeddedGalleryStore} guards it.
 */
final class TemplateMatrix {

    static final int BLOCK_FLOATS = 64 * 1024;

    private final int dimension;
    private final int blockRows;
    private float[][] blocks = new float[0][];
    private long[] faces;
    private int[] subjectOfRow;
    private int rows;
    private final Map<Long, Integer> rowOfFace = new HashMap<>();
    /** Subjects by ordinal; an ordinal is never reused while the matrix lives (a subject's rows may drop to 0). */
    private final Map<String, Integer> ordinals = new HashMap<>();
    private final List<String> subjects = new ArrayList<>();
    private int[] rowsOfSubject = new int[16];
    private int subjectsWithRows;
    private final QuantizedRows codes;

    TemplateMatrix(int dimension, int capacity) {
        this.dimension = dimension;
        this.codes = new QuantizedRows(dimension, capacity);
        this.blockRows = Math.max(1, BLOCK_FLOATS / dimension);
        int initial = Math.max(capacity, 16);
        this.faces = new long[initial];
        this.subjectOfRow = new int[initial];
    }

    int dimension() {
        return dimension;
    }

    int blockRows() {
        return blockRows;
    }

    int rows() {
        return rows;
    }

    int subjectsWithRows() {
        return subjectsWithRows;
    }

    /** Adds the face's template (replacing the one it had). */
    void add(long faceId, String subjectId, float[] template) {
        if (template.length != dimension) {
            throw new IllegalArgumentException("dimension " + template.length + ", the matrix's " + dimension);
        }
        removeFace(faceId);
        if (rows == faces.length) {
            int capacity = rows + Math.max(16, rows / 2);
            faces = Arrays.copyOf(faces, capacity);
            subjectOfRow = Arrays.copyOf(subjectOfRow, capacity);
        }
        int subject = ordinals.computeIfAbsent(subjectId, s -> {
            subjects.add(s);
            return subjects.size() - 1;
        });
        if (subject == rowsOfSubject.length) {
            rowsOfSubject = Arrays.copyOf(rowsOfSubject, subject * 2);
        }
        if (rowsOfSubject[subject]++ == 0) {
            subjectsWithRows++;
        }
        if (rows / blockRows == blocks.length) {
            blocks = Arrays.copyOf(blocks, blocks.length + 1);
            blocks[blocks.length - 1] = new float[blockRows * dimension];
        }
        System.arraycopy(template, 0, blocks[rows / blockRows], (rows % blockRows) * dimension, dimension);
        codes.set(rows, template);
        faces[rows] = faceId;
        subjectOfRow[rows] = subject;
        rowOfFace.put(faceId, rows);
        rows++;
    }

    void removeFace(long faceId) {
        Integer row = rowOfFace.remove(faceId);
        if (row == null) {
            return;
        }
        if (--rowsOfSubject[subjectOfRow[row]] == 0) {
            subjectsWithRows--;
        }
        int last = rows - 1;
        if (row != last) {
            System.arraycopy(blocks[last / blockRows], (last % blockRows) * dimension,
                    blocks[row / blockRows], (row % blockRows) * dimension, dimension);
            codes.move(last, row);
            faces[row] = faces[last];
            subjectOfRow[row] = subjectOfRow[last];
            rowOfFace.put(faces[row], row);
        }
        rows = last;
        if (rows % blockRows == 0 && blocks.length > rows / blockRows) {
            blocks = Arrays.copyOf(blocks, rows / blockRows);   // the last block emptied: let it go
        }
        codes.truncate(rows);
    }

    void removeSubject(String subjectId) {
        Integer subject = ordinals.get(subjectId);
        if (subject == null) {
            return;
        }
        for (int r = rows - 1; r >= 0; r--) {
            if (subjectOfRow[r] == subject) {
                removeFace(faces[r]);
            }
        }
    }

    /** The k subjects with the best rows, highest first (ties: subject id; a subject's tie: its first row). */
    List<GalleryStore.Match> search(float[] query, int k) {
        int n = subjects.size();
        double[] lowest = new double[n];
        Arrays.fill(lowest, Double.NEGATIVE_INFINITY);
        float[] upper = new float[rows];
        codes.scan(codes.quantize(query), rows, subjectOfRow, lowest, upper);
        double kth = kthHighest(lowest, k);
        float[] best = new float[n];
        int[] bestRow = new int[n];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int subject = subjectOfRow[r];
            if (upper[r] >= kth && upper[r] >= lowest[subject]) {
                float similarity = dot(query, blocks[r / blockRows], (r % blockRows) * dimension);
                if (similarity > best[subject]) {
                    best[subject] = similarity;
                    bestRow[subject] = r;
                }
            }
        }
        return top(best, bestRow, k);
    }

    /** The same answer as {@link #search}, from the float similarity of every row: its reference. */
    List<GalleryStore.Match> searchExhaustive(float[] query, int k) {
        int n = subjects.size();
        float[] best = new float[n];
        int[] bestRow = new int[n];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        for (int b = 0, r = 0; r < rows; b++) {
            float[] block = blocks[b];
            for (int end = Math.min(rows, r + blockRows), offset = 0; r < end; r++, offset += dimension) {
                float similarity = dot(query, block, offset);
                int subject = subjectOfRow[r];
                if (similarity > best[subject]) {
                    best[subject] = similarity;
                    bestRow[subject] = r;
                }
            }
        }
        return top(best, bestRow, k);
    }

    /** The k-th highest of {@code values} (−∞ when fewer than k are finite: subjects without rows are −∞). */
    static double kthHighest(double[] values, int k) {
        double[] heap = new double[k];   // a min-heap of the k highest so far
        int size = 0;
        for (double v : values) {
            if (v == Double.NEGATIVE_INFINITY) {
                continue;
            }
            if (size < k) {
                int i = size++;
                while (i > 0 && heap[(i - 1) / 2] > v) {
                    heap[i] = heap[(i - 1) / 2];
                    i = (i - 1) / 2;
                }
                heap[i] = v;
            } else if (v > heap[0]) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= k) {
                        break;
                    }
                    if (child + 1 < k && heap[child + 1] < heap[child]) {
                        child++;
                    }
                    if (heap[child] >= v) {
                        break;
                    }
                    heap[i] = heap[child];
                    i = child;
                }
                heap[i] = v;
            }
        }
        return size < k ? Double.NEGATIVE_INFINITY : heap[0];
    }

    /** The k subjects with a row scored, highest first (ties: subject id). */
    private List<GalleryStore.Match> top(float[] best, int[] bestRow, int k) {
        Comparator<Integer> worstFirst = Comparator.<Integer>comparingDouble(s -> best[s])
                .thenComparing(s -> subjects.get(s), Comparator.reverseOrder());
        var top = new PriorityQueue<Integer>(k + 1, worstFirst);
        for (int s = 0; s < best.length; s++) {
            if (rowsOfSubject[s] == 0 || best[s] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            top.add(s);
            if (top.size() > k) {
                top.poll();
            }
        }
        var matches = new ArrayList<GalleryStore.Match>(top.size());
        while (!top.isEmpty()) {
            int s = top.poll();
            matches.add(new GalleryStore.Match(subjects.get(s), faces[bestRow[s]], best[s]));
        }
        Collections.reverse(matches);
        return matches;
    }

    /** The dot product of {@code query} with the vector at {@code offset}: the one similarity of both stores. */
    static float dot(float[] query, float[] values, int offset) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int d = query.length;
        int i = 0;
        for (; i + 3 < d; i += 4) {
            s0 += query[i] * values[offset + i];
            s1 += query[i + 1] * values[offset + i + 1];
            s2 += query[i + 2] * values[offset + i + 2];
            s3 += query[i + 3] * values[offset + i + 3];
        }
        for (; i < d; i++) {
            s0 += query[i] * values[offset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Bytes of the arrays (the index's own memory, without the maps): the float rows, their int8 copy, faces and subjects. */
    long bytes() {
        return (long) blocks.length * blockRows * dimension * Float.BYTES + codes.bytes()
                + (long) faces.length * Long.BYTES + (long) subjectOfRow.length * Integer.BYTES;
    }
}
