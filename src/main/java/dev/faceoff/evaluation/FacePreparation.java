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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.common.Digests;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.face.FacePipeline;

/**
 * The cached, parallel, resumable steps of the jobs: images → faces prepared by the service's pipeline → embeddings,
 * in batches. Public for the {@code import} job's probe: the faces of a pair list and their embeddings.
 */
@Component
public final class FacePreparation {

    /** Bump when the face pipeline's code changes what it makes of an image (its settings are in the key already). */
    static final int PIPELINE_VERSION = 10;
    /** Faces per embedding run. */
    static final int BATCH = 16;

    private final ModelRepository models;
    private final FacePipeline pipeline;
    private final EmbeddingModel embedder;
    private final DetectionProperties detection;

    FacePreparation(ModelRepository models, FacePipeline pipeline, EmbeddingModel embedder, DetectionProperties detection) {
        this.models = models;
        this.pipeline = pipeline;
        this.embedder = embedder;
        this.detection = detection;
    }

    /**
     * Identifies everything that shapes an aligned face, so a change invalidates the face cache: the detector's and
     * (when used) the landmark model's files, the face choice, and every detection setting (the record as a whole:
     * a new field counts too) with the score threshold it resolves to.
     */
    String pipelineKey(FaceSelection selection) {
        var detector = models.detector().manifest();
        boolean landmarks = !detector.givesLandmarks() || detection.points() != DetectionProperties.Points.DETECTOR;
        String id = String.join("\n", "pipeline v" + PIPELINE_VERSION, detector.sha256(),
                landmarks ? models.landmarks().orElseThrow().manifest().sha256() : "", selection.name(),
                detection.toString(), Double.toString(detection.scoreThreshold(detector)));
        return hash(id, 8);
    }

    private static String hash(String text, int bytes) {
        return HexFormat.of().formatHex(Digests.sha256().digest(text.getBytes(StandardCharsets.UTF_8)), 0, bytes);
    }

    /**
     * Identifies a model as it embeds: its file and its input contract (colour, normalisation, layout), so that a
     * model.json whose pre-processing changed does not reuse embeddings made the old way.
     */
    static String modelKey(LoadedModel model) {
        return model.manifest().sha256().substring(0, 16) + "-" + hash(model.manifest().input().toString(), 4);
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

    /**
     * The faces found in a pair list's images with the configured face choice, through the evaluation cache (the
     * one {@code evaluate} uses): image → aligned crop; an image with no face is left out.
     */
    public Map<String, AlignedFace> faces(PairList list, int threads, PrintStream out) {
        FaceSelection selection = detection.select();
        var found = new TreeMap<String, AlignedFace>();
        faces(selection, list.root(), list.images(), EVALUATION_CACHE, pipelineKey(selection), threads, out)
                .forEach((image, record) -> {
                    if (record.found()) {
                        found.put(image, record.face().aligned());
                    }
                });
        return found;
    }

    /**
     * What serving makes of images, for the jobs that measure it: per model, each image's embedding as serving embeds it
     * (the configured face choice, the model's test-time flip when its model.json says so), through the evaluation
     * caches that {@code evaluate} shares; each found face's quality score ({@code FaceQuality.score}); and each image
     * with no face, with its error code.
     */
    public record Served(Map<String, Map<String, float[]>> embeddings, Map<String, Double> quality,
                         Map<String, String> noFace) {
    }

    /** {@link Served} of {@code images} (paths under {@code root}) for each model, resumable through the caches. */
    public Served served(List<LoadedModel> chosen, Path root, List<String> images, int threads, PrintStream out) {
        FaceSelection selection = detection.select();
        String pipeline = pipelineKey(selection);
        Map<String, FaceRecord> faces = faces(selection, root, images, EVALUATION_CACHE, pipeline, threads, out);
        var noFace = new TreeMap<String, String>();
        var quality = new TreeMap<String, Double>();
        faces.forEach((image, record) -> {
            if (record.found()) {
                quality.put(image, record.face().quality().score());
            } else {
                noFace.put(image, record.error());
            }
        });
        var embeddings = new TreeMap<String, Map<String, float[]>>();
        for (LoadedModel model : chosen) {
            boolean flip = model.manifest().testTimeFlip();
            try (RecordLog cache = RecordLog.open(EVALUATION_CACHE.resolve(embeddingCache(model, flip, pipeline)))) {
                embeddings.put(model.name(), embeddings(model, flip, root, faces, cache, threads, out));
            }
        }
        return new Served(embeddings, quality, noFace);
    }

    /** The file name of a model's embedding cache, with or without flip, for the faces of {@code pipelineKey}. */
    static String embeddingCache(LoadedModel model, boolean flip, String pipelineKey) {
        return "embed-" + modelKey(model) + (flip ? "-flip" : "") + "-" + pipelineKey + ".bin";
    }

    /** The faces of {@code images} (paths under {@code root}) through the cache file {@code faces-NAME.bin} in {@code cacheDir}. */
    Map<String, FaceRecord> faces(FaceSelection selection, Path root, List<String> images, Path cacheDir, String name,
                                  int threads, PrintStream out) {
        try (RecordLog cache = RecordLog.open(cacheDir.resolve("faces-" + name + ".bin"))) {
            return faces(selection, root, images, cache, threads, out);
        }
    }

    private Map<String, FaceRecord> faces(FaceSelection selection, Path root, List<String> images, RecordLog cache,
                                          int threads, PrintStream out) {
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
                FaceRecord record = prepare(selection, root, image);
                cache.put(key(root, image), record.encode());
                result.put(image, record);
                progress.step();
            });
        }
        return result;
    }

    private FaceRecord prepare(FaceSelection selection, Path root, String image) {
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

    /** The found faces' embeddings through a cache: those not in it are embedded and added. */
    Map<String, float[]> embeddings(LoadedModel model, boolean flip, Path root, Map<String, FaceRecord> faces,
                                    RecordLog cache, int threads, PrintStream out) {
        var result = new ConcurrentHashMap<String, float[]>();
        var todo = new TreeMap<String, AlignedFace>();
        faces.forEach((image, record) -> {
            if (!record.found()) {
                return;
            }
            byte[] cached = cache.get(key(root, image));
            if (cached != null) {
                result.put(image, floats(cached));
            } else {
                todo.put(image, record.face().aligned());
            }
        });
        int found = (int) faces.values().stream().filter(FaceRecord::found).count();
        String label = "embed " + model.name() + (flip ? " +flip" : "");
        try (var progress = new Progress(label, found, found - todo.size(), out)) {
            inBatches(model, flip, todo, threads, progress, (image, vector) -> {
                cache.put(key(root, image), bytes(vector));
                result.put(image, vector);
            });
        }
        return result;
    }

    /** The faces' embeddings (no flip, no cache), shown as {@code label} in the progress line. */
    public Map<String, float[]> embed(LoadedModel model, Map<String, AlignedFace> faces, String label, int threads,
                                      PrintStream out) {
        var result = new ConcurrentHashMap<String, float[]>();
        try (var progress = new Progress(label, faces.size(), 0, out)) {
            inBatches(model, false, new TreeMap<>(faces), threads, progress, result::put);
        }
        return result;
    }

    /** The one embedding loop: {@link #BATCH} faces per run, in name order, on {@code threads} threads. */
    private void inBatches(LoadedModel model, boolean flip, SortedMap<String, AlignedFace> faces, int threads,
                           Progress progress, BiConsumer<String, float[]> sink) {
        var names = new ArrayList<>(faces.keySet());
        var batches = new ArrayList<List<String>>();
        for (int i = 0; i < names.size(); i += BATCH) {
            batches.add(names.subList(i, Math.min(names.size(), i + BATCH)));
        }
        Parallel.forEach(batches, threads, batch -> {
            List<float[]> vectors = embedder.embed(model, batch.stream().map(faces::get).toList(), flip);
            for (int i = 0; i < batch.size(); i++) {
                sink.accept(batch.get(i), vectors.get(i));
                progress.step();
            }
        });
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
