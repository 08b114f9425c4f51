package dev.faceoff.gallery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * The embedded store's exact index of one tenant and model: one row per subject, its template of the model (the
 * normalised mean of its faces', {@link GalleryStore#mean}), in contiguous float32 blocks of 256 KiB (row {@code r}
 * in block {@code r / blockRows}; growing adds a block, never copies the vectors, so the index holds at most one
 * partly used block beyond its rows), each row's subject and number of faces, and an int8 copy of the rows
 * ({@link QuantizedRows}, a quarter of their size, in blocks of 256 KiB too). Blocks stay under half of G1's
 * smallest region (1 MiB): a larger array is "humongous" and takes whole regions, measured: 922 MiB of heap
 * instead of 627 for 2 MiB blocks of 300,000 512-d templates.
 *
 * <p>Search is exact: the result is the one a float32 dot product with every row gives (unit vectors: the
 * cosine similarity), the top k ({@link #searchExhaustive} is that scan). It gets there in two passes. The coarse
 * pass scores every row from its int8 codes and bounds its exact similarity within an interval (proved in
 * {@link QuantizedRows}); the k-th best row is at least τ, the k-th highest of the lower ends. The second pass
 * computes the float similarity of every row whose upper end reaches τ and takes the top k of those. A row it
 * skips is below a score that at least k rows reach, so it can be no top row; every row that ties the k-th is
 * re-scored, so ties fall to the subject id as in the scan. Removing a row moves the last one into its place.
 * Not thread-safe: {@link EmbeddedGalleryStore} guards it.
 */
final class TemplateMatrix {

    static final int BLOCK_FLOATS = 64 * 1024;

    private final int dimension;
    private final int blockRows;
    private float[][] blocks = new float[0][];
    private String[] subjectOfRow;
    private int[] facesOfRow;
    private int rows;
    private long faces;
    private final Map<String, Integer> rowOfSubject = new HashMap<>();
    private final QuantizedRows codes;

    TemplateMatrix(int dimension, int capacity) {
        this.dimension = dimension;
        this.codes = new QuantizedRows(dimension, capacity);
        this.blockRows = Math.max(1, BLOCK_FLOATS / dimension);
        int initial = Math.max(capacity, 16);
        this.subjectOfRow = new String[initial];
        this.facesOfRow = new int[initial];
    }

    int dimension() {
        return dimension;
    }

    int blockRows() {
        return blockRows;
    }

    /** Rows: subjects with a template of the model. */
    int rows() {
        return rows;
    }

    /** The faces the rows were made from (the templates of the model). */
    long faces() {
        return faces;
    }

    /** Sets the subject's template (the mean of {@code faceCount} faces), replacing the one it had. */
    void put(String subjectId, float[] template, int faceCount) {
        if (template.length != dimension) {
            throw new IllegalArgumentException("dimension " + template.length + ", the matrix's " + dimension);
        }
        Integer existing = rowOfSubject.get(subjectId);
        int row;
        if (existing != null) {
            row = existing;
            faces -= facesOfRow[row];
        } else {
            if (rows == subjectOfRow.length) {
                int capacity = rows + Math.max(16, rows / 2);
                subjectOfRow = Arrays.copyOf(subjectOfRow, capacity);
                facesOfRow = Arrays.copyOf(facesOfRow, capacity);
            }
            if (rows / blockRows == blocks.length) {
                blocks = Arrays.copyOf(blocks, blocks.length + 1);
                blocks[blocks.length - 1] = new float[blockRows * dimension];
            }
            row = rows++;
            subjectOfRow[row] = subjectId;
            rowOfSubject.put(subjectId, row);
        }
        System.arraycopy(template, 0, blocks[row / blockRows], (row % blockRows) * dimension, dimension);
        codes.set(row, template);
        facesOfRow[row] = faceCount;
        faces += faceCount;
    }

    void remove(String subjectId) {
        Integer row = rowOfSubject.remove(subjectId);
        if (row == null) {
            return;
        }
        faces -= facesOfRow[row];
        int last = rows - 1;
        if (row != last) {
            System.arraycopy(blocks[last / blockRows], (last % blockRows) * dimension,
                    blocks[row / blockRows], (row % blockRows) * dimension, dimension);
            codes.move(last, row);
            subjectOfRow[row] = subjectOfRow[last];
            facesOfRow[row] = facesOfRow[last];
            rowOfSubject.put(subjectOfRow[row], row);
        }
        subjectOfRow[last] = null;
        rows = last;
        if (rows % blockRows == 0 && blocks.length > rows / blockRows) {
            blocks = Arrays.copyOf(blocks, rows / blockRows);   // the last block emptied: let it go
        }
        codes.truncate(rows);
    }

    /** The k subjects with the best rows, highest first (ties: subject id). */
    List<GalleryStore.Match> search(float[] query, int k) {
        return search(query, k, Optional.empty());
    }

    /** {@link #search(float[], int)}, the coarse pass shared with {@code helper} (see {@link QuantizedRows#scan}). */
    List<GalleryStore.Match> search(float[] query, int k, Optional<? extends Executor> helper) {
        double[] lower = new double[rows];
        float[] upper = new float[rows];
        codes.scan(codes.quantize(query), rows, lower, upper, helper);
        double kth = kthHighest(lower, k);
        var top = new TopK(k);
        for (int r = 0; r < rows; r++) {
            if (upper[r] >= kth) {
                top.offer(r, dot(query, blocks[r / blockRows], (r % blockRows) * dimension));
            }
        }
        return top.matches();
    }

    /** The same answer as {@link #search}, from the float similarity of every row: its reference. */
    List<GalleryStore.Match> searchExhaustive(float[] query, int k) {
        float[] similarity = new float[rows];
        double[] values = new double[rows];
        for (int b = 0, r = 0; r < rows; b++) {
            float[] block = blocks[b];
            for (int end = Math.min(rows, r + blockRows), offset = 0; r < end; r++, offset += dimension) {
                similarity[r] = dot(query, block, offset);
                values[r] = similarity[r];
            }
        }
        double kth = kthHighest(values, k);
        var top = new TopK(k);
        for (int r = 0; r < rows; r++) {
            if (similarity[r] >= kth) {
                top.offer(r, similarity[r]);
            }
        }
        return top.matches();
    }

    /** The k best rows offered, by similarity and then subject id. */
    private final class TopK {
        private record Scored(int row, float similarity) {
        }

        private final int k;
        private final PriorityQueue<Scored> worstFirst;

        TopK(int k) {
            this.k = k;
            this.worstFirst = new PriorityQueue<>(k + 1, Comparator.<Scored>comparingDouble(Scored::similarity)
                    .thenComparing(s -> subjectOfRow[s.row()], Comparator.reverseOrder()));
        }

        void offer(int row, float similarity) {
            worstFirst.add(new Scored(row, similarity));
            if (worstFirst.size() > k) {
                worstFirst.poll();
            }
        }

        List<GalleryStore.Match> matches() {
            var matches = new ArrayList<GalleryStore.Match>(worstFirst.size());
            while (!worstFirst.isEmpty()) {
                Scored s = worstFirst.poll();
                matches.add(new GalleryStore.Match(subjectOfRow[s.row()], s.similarity()));
            }
            Collections.reverse(matches);
            return matches;
        }
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

    /** Bytes of the arrays (the index's own memory, without the map and the ids): the float rows, their int8 copy, face counts. */
    long bytes() {
        return (long) blocks.length * blockRows * dimension * Float.BYTES + codes.bytes()
                + (long) facesOfRow.length * Integer.BYTES;
    }
}
