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
 * the index holds at most one partly used block beyond its templates), each row's face and subject. Blocks
 * stay under half of G1's smallest region (1 MiB): a larger array is "humongous" and takes whole regions,
 * measured: 922 MiB of heap instead of 627 for 2 MiB blocks of 300,000 512-d templates. Search is a dot product with every
 * row (unit vectors: the cosine similarity), the best row per subject, then the top k subjects. A removed
 * row is replaced by the last one. Not thread-safe: {@link EmbeddedGalleryStore} guards it.
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

    TemplateMatrix(int dimension, int capacity) {
        this.dimension = dimension;
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
            faces[row] = faces[last];
            subjectOfRow[row] = subjectOfRow[last];
            rowOfFace.put(faces[row], row);
        }
        rows = last;
        if (rows % blockRows == 0 && blocks.length > rows / blockRows) {
            blocks = Arrays.copyOf(blocks, rows / blockRows);   // the last block emptied: let it go
        }
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

    /** The k subjects with the best rows, highest first (ties: subject id). */
    List<GalleryStore.Match> search(float[] query, int k) {
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
        Comparator<Integer> worstFirst = Comparator.<Integer>comparingDouble(s -> best[s])
                .thenComparing(s -> subjects.get(s), Comparator.reverseOrder());
        var top = new PriorityQueue<Integer>(k + 1, worstFirst);
        for (int s = 0; s < n; s++) {
            if (rowsOfSubject[s] == 0) {
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

    /** Bytes of the arrays (the index's own memory, without the maps). */
    long bytes() {
        return (long) blocks.length * blockRows * dimension * Float.BYTES + (long) faces.length * Long.BYTES + (long) subjectOfRow.length * Integer.BYTES;
    }
}
