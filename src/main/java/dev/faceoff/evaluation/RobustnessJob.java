package dev.faceoff.evaluation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;

/**
 * {@code robustness}: LFW made to look like the photos users send. A sample of LFW's pairs; each image's
 * face found once on the untouched photo; every transform of {@link Transforms} written under the cache
 * (generated here, never committed; reused by later runs, so both detectors see the same pixels); then
 * each transform evaluated with the service's pipeline: images without a face and 10-fold accuracy.
 */
@Component("robustness")
final class RobustnessJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar robustness --pairs LFW/pairs.txt [options]
              --per-fold N      same and different pairs taken from each of the 10 folds (default 60)
              --transforms A,B  default: all of none,tight,down64,down48,down32,sunglasses,mask,canvas12mp,rot90
              --models A,B      embedding models (default: mobilefacenet-faceplugin)
              --out DIR         report folder (default target/robustness)
              --cache DIR       generated images and resumable caches (default ~/.cache/faceoff/robustness)
              --threads N       worker threads (default: all cores)
              --faceoff.KEY=V   any configuration key, e.g. --faceoff.models.detector=detector-rfb320
            """;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final ModelRepository models;
    private final FacePreparation preparation;
    private final DetectionProperties detection;

    RobustnessJob(ModelRepository models, FacePreparation preparation, DetectionProperties detection) {
        this.models = models;
        this.preparation = preparation;
        this.detection = detection;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    /**
     * One transform and model; {@code frr}/{@code far} at the model's served threshold (NaN when it has none);
     * {@code pairScores}: every pair's cosine in the sample's order (−1: a face missing), for paired tests.
     */
    record Row(String transform, String model, boolean flip, int images, int imagesWithoutFace, double noFaceRate,
               double acc10, double sd, int pairsMissingFace, double servedThreshold, double frr, double far,
               double[] pairScores) {
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("pairs", "per-fold", "transforms", "models", "out", "cache", "threads");
        Path pairsFile = Path.of(args.require("pairs"));
        Path lfwRoot = pairsFile.toAbsolutePath().getParent().resolve("lfw-deepfunneled");
        FacePreparation.requireDirectory(lfwRoot, "LFW images");
        PairList sample = sample(PairList.lfw(pairsFile, lfwRoot), args.integer("per-fold", 60));
        List<Transforms> transforms = args.list("transforms").isEmpty() ? List.of(Transforms.values())
                : args.list("transforms").stream().map(Transforms::parse).toList();
        List<LoadedModel> chosen = EvaluateJob.chooseModels(models,
                args.list("models").isEmpty() ? List.of("mobilefacenet-faceplugin") : args.list("models"));
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        Path cacheDir = args.path("cache", Path.of(System.getProperty("user.home"), ".cache", "faceoff", "robustness"));
        Path outDir = args.path("out", Path.of("target", "robustness"));
        Files.createDirectories(outDir);
        var selection = detection.select();
        String key = preparation.pipelineKey(selection);
        List<String> images = sample.images();
        out.printf("robustness: %d pairs, %d images; transforms %s; detector %s%n", sample.pairs().size(), images.size(),
                transforms.stream().map(Transforms::label).toList(), models.detector().name());

        Map<String, FaceRecord> source = faces(sample, lfwRoot, cacheDir, "source-" + key, threads, out);
        var rows = new ArrayList<Row>();
        for (Transforms t : transforms) {
            Path root = t == Transforms.NONE ? lfwRoot : generate(t, lfwRoot, cacheDir.resolve("images-v1").resolve(t.label()),
                    images, source, threads, out);
            Map<String, FaceRecord> faces = faces(sample, root, cacheDir, t.label() + "-" + key, threads, out);
            long missing = faces.values().stream().filter(r -> !r.found()).count();
            var list = new PairList(sample.name() + "/" + t.label(), root, sample.pairs(), sample.folds());
            for (LoadedModel model : chosen) {
                boolean flip = model.manifest().testTimeFlip();
                Map<String, float[]> embeddings;
                String file = t.label() + "-embed-" + FacePreparation.modelKey(model) + (flip ? "-flip" : "")
                        + "-" + key + ".bin";
                try (RecordLog cache = RecordLog.open(cacheDir.resolve(file))) {
                    embeddings = preparation.embeddings(model, flip, root, faces, cache, threads, out);
                }
                ModelScores s = ModelScores.compute(model.name(), model.manifest().loss(), flip, list, embeddings);
                var served = model.manifest().thresholdAt(EvaluateJob.SERVED_FAR)
                        .map(th -> ServedDecision.of(model.name(), flip, th.cosine(), th.dataset(), list.pairs(), s.pairScores()))
                        .orElse(null);
                Row row = new Row(t.label(), model.name(), flip, faces.size(), (int) missing,
                        (double) missing / faces.size(), s.acc10(), s.sd(), s.pairsMissingFace(),
                        served == null ? Double.NaN : served.threshold(), served == null ? Double.NaN : served.frr(),
                        served == null ? Double.NaN : served.far(),
                        Reports.rounded(s.pairScores()));
                rows.add(row);
                out.printf(Locale.ROOT, "robustness: %s %s: no face %d/%d (%.2f%%), acc10 %.2f%% ± %.2f%n", t.label(),
                        model.name(), missing, faces.size(), 100 * row.noFaceRate(), 100 * s.acc10(), 100 * s.sd());
            }
        }
        var report = new LinkedHashMap<String, Object>();
        report.put("pairList", sample.name());
        report.put("pairs", sample.pairs().size());
        report.put("detector", models.detector().name());
        report.put("pairSame", sample.pairs().stream().map(PairList.Pair::same).toList());
        report.put("pairFold", sample.pairs().stream().map(PairList.Pair::fold).toList());
        report.put("rows", rows);
        Files.writeString(outDir.resolve("report.json"), JSON.writeValueAsString(report));
        Files.writeString(outDir.resolve("report.md"), markdown(sample, models.detector().name(), rows));
        out.println("robustness: wrote " + outDir.resolve("report.md"));
        return 0;
    }

    /** The first {@code perFold} same and {@code perFold} different pairs of every fold. */
    static PairList sample(PairList lfw, int perFold) {
        var taken = new LinkedHashMap<String, Integer>();
        var pairs = new ArrayList<PairList.Pair>();
        for (PairList.Pair p : lfw.pairs()) {
            String k = p.fold() + "/" + p.same();
            if (taken.merge(k, 1, Integer::sum) <= perFold) {
                pairs.add(p);
            }
        }
        return new PairList(lfw.name() + " (" + perFold + "+" + perFold + " pairs per fold)", lfw.root(), pairs, lfw.folds());
    }

    private Map<String, FaceRecord> faces(PairList sample, Path root, Path cacheDir, String name, int threads,
                                          PrintStream out) throws IOException {
        return preparation.faces(detection.select(), root, sample.images(), cacheDir, name, threads, out);
    }

    /** Writes the transformed images not yet there; an image whose untouched photo had no face is copied as is. */
    private static Path generate(Transforms t, Path lfwRoot, Path dir, List<String> images, Map<String, FaceRecord> source,
                                 int threads, PrintStream out) throws IOException {
        var todo = images.stream().filter(i -> !Files.exists(dir.resolve(i))).toList();
        try (var progress = new Progress("generate " + t.label(), images.size(), images.size() - todo.size(), out)) {
            Parallel.forEach(todo, threads, image -> {
                Path target = dir.resolve(image);
                try {
                    Files.createDirectories(target.getParent());
                    FaceRecord record = source.get(image);
                    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                    if (record == null || !record.found()) {
                        Files.copy(lfwRoot.resolve(image), tmp);
                    } else {
                        Mat photo = Imgcodecs.imread(lfwRoot.resolve(image).toString(), Imgcodecs.IMREAD_COLOR);
                        Mat changed = t.apply(photo, record.face().face());
                        try {
                            Files.write(tmp, Transforms.jpeg(changed));
                        } finally {
                            photo.release();
                            changed.release();
                        }
                    }
                    Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                progress.step();
            });
        }
        return dir;
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    static String markdown(PairList sample, String detector, List<Row> rows) {
        var md = new StringBuilder("# Robustness on " + sample.name() + ", detector " + detector + "\n\n"
                + "FRR and FAR: the pairs decided at the model's served threshold (its calibration at FAR "
                + ModelScores.farKey(EvaluateJob.SERVED_FAR) + ").\n\n"
                + "| transform | model | images without a face | 10-fold accuracy | vs untouched | FRR | FAR |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Row none = rows.stream().filter(x -> x.transform().equals("none") && x.model().equals(r.model())).findFirst()
                    .orElse(null);
            md.append(String.format(Locale.ROOT, "| %s | %s | %d/%d (%.2f%%) | %.2f%% ± %.2f | %s | %s | %s |%n", r.transform(),
                    r.model(), r.imagesWithoutFace(), r.images(), 100 * r.noFaceRate(), 100 * r.acc10(), 100 * r.sd(),
                    none == null ? "—" : String.format(Locale.ROOT, "%+.2f", 100 * (r.acc10() - none.acc10())),
                    percent(r.frr()), percent(r.far())));
        }
        return md.toString();
    }
}
