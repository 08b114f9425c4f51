package dev.faceoff.evaluation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.faceoff.common.Digests;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.face.FacePipeline;

/** The cached, parallel, resumable steps of a job: images → prepared faces → embeddings. */
final class FacePreparation {

    private FacePreparation() {
    }

    /** Identifies everything that shapes an aligned face, so a change invalidates the face cache. */
    static String pipelineKey(ModelRepository models, DetectionProperties detection, FaceSelection selection) {
        boolean landmarks = !models.detector().manifest().givesLandmarks() || detection.points() != DetectionProperties.Points.DETECTOR;
        String id = models.detector().manifest().sha256()
                + (landmarks ? models.landmarks().orElseThrow().manifest().sha256() : "")
                + selection + detection.scoreThreshold(models.detector().manifest()) + "/" + detection.nmsIou() + "/"
                + detection.minFaceSize() + "/" + detection.pad() + "/" + detection.padWhen() + "/" + detection.minSide() + "/" + detection.maxSide() + "/"
                + detection.tryRotations() + "/" + detection.closerLook() + "/" + detection.points() + "/v8";
        byte[] digest = Digests.sha256().digest(id.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    /**
     * Identifies a model as it embeds: its file and its input contract (colour, normalisation, layout), so that a
     * model.json whose pre-processing changed does not reuse embeddings made the old way.
     */
    static String modelKey(LoadedModel model) {
        byte[] digest = Digests.sha256().digest(model.manifest().input().toString().getBytes(StandardCharsets.UTF_8));
        return model.manifest().sha256().substring(0, 16) + "-" + HexFormat.of().formatHex(digest, 0, 4);
    }

    /** Cache key of an image: its path, size and modification time (a changed file is redone). */
    static String key(Path root, String image) {
        Path file = root.resolve(image);
        try {
            return image + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return image + "|missing";
        }
    }

    /** Where evaluate (and import's probe, which shares its faces) keep their resumable cache by default. */
    static final Path EVALUATION_CACHE = Path.of(System.getProperty("user.home"), ".cache", "faceoff", "evaluation");

    /** {@link #faces} through the cache file {@code faces-NAME.bin} in {@code cacheDir}. */
    static Map<String, FaceRecord> faces(FacePipeline pipeline, FaceSelection selection, Path root, List<String> images,
                                         Path cacheDir, String name, int threads, PrintStream out) {
        try (RecordLog cache = RecordLog.open(cacheDir.resolve("faces-" + name + ".bin"))) {
            return faces(pipeline, selection, root, images, cache, threads, out);
        }
    }

    static Map<String, FaceRecord> faces(FacePipeline pipeline, FaceSelection selection, Path root,
                                         List<String> images, RecordLog cache, int threads, PrintStream out) {
        var result = new ConcurrentHashMap<String, FaceRecord>();
        var todo = new ArrayList<String>();
        for (String image : images) {
            byte[] cached = cache.get(key(root, image));
            if (cached != null) {
                result.put(image, FaceRecord.decode(cached));
            } else {
                todo.add(image);
            }
        }
        try (var progress = new Progress("align", images.size(), images.size() - todo.size(), out)) {
            Parallel.forEach(todo, threads, image -> {
                FaceRecord record = prepare(pipeline, selection, root, image);
                cache.put(key(root, image), record.encode());
                result.put(image, record);
                progress.step();
            });
        }
        return result;
    }

    static FaceRecord prepare(FacePipeline pipeline, FaceSelection selection, Path root, String image) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(root.resolve(image));
        } catch (IOException e) {
            return FaceRecord.failed("unreadable");
        }
        try {
            return FaceRecord.ok(pipeline.prepare(bytes, selection, image, new StageTimings()));
        } catch (FaceoffException e) {
            return FaceRecord.failed(e.code().code());
        }
    }

    static Map<String, float[]> embeddings(EmbeddingModel embedder, LoadedModel model, boolean flip, Path root,
                                           Map<String, FaceRecord> faces, RecordLog cache, int threads,
                                           PrintStream out) {
        var result = new ConcurrentHashMap<String, float[]>();
        var todo = new ArrayList<String>();
        faces.forEach((image, record) -> {
            if (!record.found()) {
                return;
            }
            byte[] cached = cache.get(key(root, image));
            if (cached != null) {
                result.put(image, floats(cached));
            } else {
                todo.add(image);
            }
        });
        todo.sort(null);
        int found = (int) faces.values().stream().filter(FaceRecord::found).count();
        var batches = new ArrayList<List<String>>();
        for (int i = 0; i < todo.size(); i += 16) {
            batches.add(todo.subList(i, Math.min(todo.size(), i + 16)));
        }
        String label = "embed " + model.name() + (flip ? " +flip" : "");
        try (var progress = new Progress(label, found, found - todo.size(), out)) {
            Parallel.forEach(batches, threads, batch -> {
                var aligned = batch.stream().map(image -> faces.get(image).face().aligned()).toList();
                List<float[]> vectors = embedder.embed(model, aligned, flip);
                for (int i = 0; i < batch.size(); i++) {
                    cache.put(key(root, batch.get(i)), bytes(vectors.get(i)));
                    result.put(batch.get(i), vectors.get(i));
                    progress.step();
                }
            });
        }
        return result;
    }

    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
        return v;
    }

    static void requireDirectory(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new UncheckedIOException(new IOException(what + " " + dir + " is not a directory"));
        }
    }
}
