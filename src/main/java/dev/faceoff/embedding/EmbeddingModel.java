package dev.faceoff.embedding;

import dev.faceoff.common.NativeLedger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRunner;
import dev.faceoff.model.Pixels;

/**
 * Aligned faces → L2-normalised embeddings with one embedding model. Faces go through one session run
 * when the model's batch axis is dynamic, together with other requests' faces where the micro-batcher is on
 * ({@link EmbeddingBatcher}).
 */
@Component
public final class EmbeddingModel {

    private final ModelRunner runner;
    private final EmbeddingBatcher batcher;

    EmbeddingModel(ModelRunner runner, EmbeddingBatcher batcher) {
        this.runner = runner;
        this.batcher = batcher;
    }

    /**
     * Unit-length embeddings, one per face, in order, as the model is served: with test-time flip when its
     * model.json says {@code "testTimeFlip": true} (its thresholds were then calibrated the same way).
     */
    public List<float[]> embed(LoadedModel model, List<AlignedFace> faces) {
        return embed(model, faces, model.manifest().testTimeFlip());
    }

    /**
     * @param flip also embed each face's mirror image and sum the two before normalising (test-time
     *             augmentation: twice the embedding work; evaluation reports both ways)
     */
    public List<float[]> embed(LoadedModel model, List<AlignedFace> faces, boolean flip) {
        var inputs = new ArrayList<>(faces);
        if (flip) {
            faces.forEach(f -> inputs.add(mirror(f)));
        }
        List<float[]> raw = model.dynamicBatch() ? run(model, inputs) : runOneByOne(model, inputs);
        var out = new ArrayList<float[]>(faces.size());
        for (int i = 0; i < faces.size(); i++) {
            float[] v = raw.get(i);
            if (flip) {
                v = Vectors.add(v, raw.get(faces.size() + i));
            }
            out.add(Vectors.normalize(v));
        }
        return out;
    }

    private List<float[]> runOneByOne(LoadedModel model, List<AlignedFace> faces) {
        var out = new ArrayList<float[]>(faces.size());
        for (AlignedFace face : faces) {
            out.addAll(run(model, List.of(face)));
        }
        return out;
    }

    private List<float[]> run(LoadedModel model, List<AlignedFace> faces) {
        ModelManifest manifest = model.manifest();
        float[] tensor = toTensor(manifest.input(), faces);
        var input = manifest.input();
        float[] flat = batcher.batches(model) ? batcher.run(model, tensor, faces.size())
                : runner.run(model, tensor, input.shape(faces.size()))
                        .get(manifest.output().name());
        int dim = manifest.output().dim();
        var vectors = new ArrayList<float[]>(faces.size());
        for (int i = 0; i < faces.size(); i++) {
            vectors.add(Arrays.copyOfRange(flat, i * dim, (i + 1) * dim));
        }
        return vectors;
    }

    /** Aligned BGR crops → one tensor per the model's input contract. Pure but for an optional resize. */
    static float[] toTensor(ModelManifest.Input input, List<AlignedFace> faces) {
        int h = input.height();
        int w = input.width();
        int row = input.channels() * h * w;
        float[] tensor = new float[faces.size() * row];
        for (int i = 0; i < faces.size(); i++) {
            Pixels.toTensor(input, fit(faces.get(i), w, h), h, w, 3, tensor, i * row);
        }
        return tensor;
    }

    /**
     * An aligned face fitted to a model's input of {@code width}×{@code height}: the ArcFace template scaled to
     * the height, then the width cropped (or padded with black) about the centre. A 112×96 input (SphereFace's)
     * gets the 112×112 crop less 8 columns each side, which is SphereFace's own 5-point template; a 160×160
     * input gets the crop scaled by 160/112. BGR bytes, row-major.
     */
    static byte[] fit(AlignedFace face, int width, int height) {
        byte[] square = face.size() == height ? face.bgr() : resize(face, height);
        if (width == height) {
            return square;
        }
        byte[] out = new byte[height * width * 3];
        int shift = (height - width) / 2;   // columns dropped on the left (negative: padded)
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int from = x + shift;
                if (from >= 0 && from < height) {
                    System.arraycopy(square, (y * height + from) * 3, out, (y * width + x) * 3, 3);
                }
            }
        }
        return out;
    }

    private static byte[] resize(AlignedFace face, int size) {
        Mat src = NativeLedger.open(new Mat(face.size(), face.size(), CvType.CV_8UC3));
        Mat dst = NativeLedger.open(new Mat());
        try {
            src.put(0, 0, face.bgr());
            Imgproc.resize(src, dst, new Size(size, size), 0, 0, size < face.size() ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
            return Pixels.bytes(dst);
        } finally {
            NativeLedger.release(src);
            NativeLedger.release(dst);
        }
    }

    /** The face mirrored left-right. Pure. */
    public static AlignedFace mirror(AlignedFace face) {
        int s = face.size();
        byte[] in = face.bgr();
        byte[] out = new byte[in.length];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                System.arraycopy(in, (y * s + x) * 3, out, (y * s + (s - 1 - x)) * 3, 3);
            }
        }
        return new AlignedFace(out, s);
    }
}
