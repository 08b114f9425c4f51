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
                : runner.run(model, tensor, faces.size(), input.channels(), input.height(), input.width())
                        .get(manifest.output().name());
        int dim = manifest.output().dim();
        var vectors = new ArrayList<float[]>(faces.size());
        for (int i = 0; i < faces.size(); i++) {
            vectors.add(Arrays.copyOfRange(flat, i * dim, (i + 1) * dim));
        }
        return vectors;
    }

    /** Aligned BGR crops → one NCHW tensor per the model's input contract. Pure but for an optional resize. */
    static float[] toTensor(ModelManifest.Input input, List<AlignedFace> faces) {
        int h = input.height();
        int w = input.width();
        int plane = input.channels() * h * w;
        float[] tensor = new float[faces.size() * plane];
        for (int i = 0; i < faces.size(); i++) {
            AlignedFace face = faces.get(i);
            byte[] pixels = face.size() == w && face.size() == h ? face.bgr() : resize(face, w, h);
            Pixels.toChw(pixels, h, w, 3, input.color(), input.mean(), input.std(), tensor, i * plane);
        }
        return tensor;
    }

    private static byte[] resize(AlignedFace face, int w, int h) {
        Mat src = NativeLedger.open(new Mat(face.size(), face.size(), CvType.CV_8UC3));
        Mat dst = NativeLedger.open(new Mat());
        try {
            src.put(0, 0, face.bgr());
            Imgproc.resize(src, dst, new Size(w, h), 0, 0, Imgproc.INTER_AREA);
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
