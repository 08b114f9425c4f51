package dev.faceoff.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.SharedData;
import dev.faceoff.common.StageTimings;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.detection.FaceSelection;

/**
 * Benchmark (not a test), run by bench/detection.sh: per-stage milliseconds of {@link FacePipeline#prepare}
 * (decode, detect, landmarks, align), one ORT thread, sequential, for each detector configuration, on 200
 * LFW photos (250×250) and on a 12-megapixel JPEG (the robustness suite's canvas of one LFW photo).
 * Configurations alternate in rounds, so each sees the same machine load; medians per image.
 */
public final class DetectionBench {

    private DetectionBench() {
    }

    record Config(String name, String[] properties) {
    }

    public static void main(String[] args) throws Exception {
        Path lfw = args.length > 0 ? Path.of(args[0]) : SharedData.shared().resolve("datasets/lfw/lfw-deepfunneled");
        List<Config> configs = List.of(
                new Config("rfb320 + landmarks-68", new String[]{"--faceoff.models.detector=detector-rfb320"}),
                new Config("yunet + landmarks-68 (default)", new String[]{"--faceoff.models.detector=detector-yunet"}),
                new Config("yunet, its own points", new String[]{"--faceoff.models.detector=detector-yunet",
                        "--faceoff.detection.points=detector"}));
        List<byte[]> photos = new ArrayList<>();
        try (var dirs = Files.list(lfw)) {
            for (Path dir : dirs.sorted().limit(200).toList()) {
                photos.add(Files.readAllBytes(dir.resolve(dir.getFileName() + "_0001.jpg")));
            }
        }
        var pipelines = new LinkedHashMap<String, FacePipeline>();
        var contexts = new ArrayList<org.springframework.context.ConfigurableApplicationContext>();
        for (Config c : configs) {
            String[] all = Arrays.copyOf(c.properties(), c.properties().length + 2);
            all[all.length - 2] = "--faceoff.models.include=mobilefacenet-faceplugin";
            all[all.length - 1] = "--logging.level.root=WARN";
            var context = new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE).run(all);
            contexts.add(context);
            pipelines.put(c.name(), context.getBean(FacePipeline.class));
        }
        byte[] large = canvas(photos.get(0));
        var small = new LinkedHashMap<String, Map<String, List<Double>>>();
        var big = new LinkedHashMap<String, Map<String, List<Double>>>();
        for (int round = 0; round < 4; round++) {
            for (var e : pipelines.entrySet()) {
                for (byte[] photo : photos) {
                    record(round, small, e.getKey(), e.getValue(), photo);
                }
                for (int i = 0; i < 10; i++) {
                    record(round, big, e.getKey(), e.getValue(), large);
                }
            }
        }
        print("250×250 LFW JPEG (200 photos × 3 rounds)", small);
        print("4000×3000 JPEG, one face (" + large.length / 1024 + " KB, 10 × 3 rounds)", big);
        contexts.forEach(org.springframework.context.ConfigurableApplicationContext::close);
    }

    private static void record(int round, Map<String, Map<String, List<Double>>> into, String config,
                               FacePipeline pipeline, byte[] photo) {
        var timings = new StageTimings();
        long start = System.nanoTime();
        pipeline.prepare(photo, FaceSelection.LARGEST, "image", timings);
        double total = (System.nanoTime() - start) / 1e6;
        if (round == 0) {
            return;   // warm-up
        }
        var stages = into.computeIfAbsent(config, k -> new LinkedHashMap<>());
        timings.millis().forEach((stage, ms) -> stages.computeIfAbsent(stage, k -> new ArrayList<>()).add(ms));
        stages.computeIfAbsent("total", k -> new ArrayList<>()).add(total);
    }

    private static void print(String title, Map<String, Map<String, List<Double>>> results) {
        System.out.println("\n" + title + ": median ms per image, one thread");
        System.out.println("| configuration | decode | detect | landmarks | align | total |\n|---|---|---|---|---|---|");
        results.forEach((config, stages) -> System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", config,
                median(stages.get("decode")), median(stages.get("detect")), median(stages.get("landmarks")),
                median(stages.get("align")), median(stages.get("total"))));
    }

    private static String median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return "—";
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%.2f", v[v.length / 2]);
    }

    /** The robustness suite's 12-megapixel canvas of one photo, as a JPEG. */
    private static byte[] canvas(byte[] photo) {
        Mat src = Imgcodecs.imdecode(new MatOfByte(photo), Imgcodecs.IMREAD_COLOR);
        Mat canvas = Transforms.CANVAS12MP.apply(src, null);   // the canvas needs no face
        try {
            return Transforms.jpeg(canvas);
        } finally {
            src.release();
            canvas.release();
        }
    }
}
