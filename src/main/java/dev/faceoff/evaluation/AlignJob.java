package dev.faceoff.evaluation;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.springframework.stereotype.Component;

import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.FaceSelection;
import dev.faceoff.common.FaceoffException;
import dev.faceoff.common.StageTimings;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;

/**
 * {@code align}: folder-per-identity images → aligned 112×112 crops in the same tree, with
 * {@code manifest.csv} (crop file, source image, identity, detection score, 5 landmarks in the source
 * image) and {@code no_face.csv}. Resumes: source images already listed in either file are skipped.
 */
@Component("align")
final class AlignJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar align --input DIR --output DIR [options]
              --input DIR     folder per identity: DIR/<identity>/<image>.(jpg|png|webp|bmp)
              --output DIR    aligned crops, same tree, plus manifest.csv, no_face.csv and summary.json
              --format F      png (default) or jpg (quality 95)
              --select S      face choice: largest (default: faceoff.detection.select), prominent, center, score
              --pad F         border added before detection, as a fraction of the larger side (default
                              faceoff.detection.pad, 0.25: helps on tight pre-cropped faces)
              --threads N     worker threads (default: all cores)
            """;

    private final FacePipeline pipeline;
    private final DetectionProperties detection;

    AlignJob(FacePipeline pipeline, DetectionProperties detection) {
        this.pipeline = pipeline;
        this.detection = detection;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("input", "output", "format", "select", "pad", "threads");
        Path input = Path.of(args.require("input"));
        Path output = Path.of(args.require("output"));
        FacePreparation.requireDirectory(input, "--input");
        String format = args.get("format", "png").toLowerCase(Locale.ROOT);
        if (!format.equals("png") && !format.equals("jpg")) {
            throw new IllegalArgumentException("--format must be png or jpg");
        }
        FaceSelection selection = args.values().containsKey("select") ? FaceSelection.parse(args.get("select", ""))
                : detection.select();
        double pad = Double.parseDouble(args.get("pad", Double.toString(detection.pad())));
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        Files.createDirectories(output);

        List<String> images = listImages(input);
        Path manifestFile = output.resolve("manifest.csv");
        Path failuresFile = output.resolve("no_face.csv");
        Set<String> done = new HashSet<>();
        done.addAll(column(manifestFile, 1));
        done.addAll(column(failuresFile, 0));
        List<String> todo = images.stream().filter(i -> !done.contains(i)).toList();
        out.printf("align: %s → %s: %d images in %d identities, %d already done; select=%s pad=%.2f threads=%d%n",
                input, output, images.size(), images.stream().map(PairList::identity).distinct().count(),
                images.size() - todo.size(), selection.name().toLowerCase(Locale.ROOT), pad, threads);

        long start = System.nanoTime();
        var found = new AtomicInteger();
        var missed = new AtomicInteger();
        try (var manifest = appender(manifestFile, "file,source,identity,score,x0,y0,x1,y1,x2,y2,x3,y3,x4,y4");
             var failures = appender(failuresFile, "file,reason");
             var progress = new Progress("align", images.size(), images.size() - todo.size(), out)) {
            Parallel.forEach(todo, threads, image -> {
                String outName = image.replaceAll("\\.[^./]+$", "") + "." + format;
                try {
                    PreparedFace face = pipeline.prepare(Files.readAllBytes(input.resolve(image)), selection, image,
                            new StageTimings(), pad);
                    write(output.resolve(outName), face, format);
                    var line = new StringBuilder(csv(outName)).append(',').append(csv(image))
                            .append(',').append(csv(PairList.identity(image)))
                            .append(',').append(String.format(Locale.ROOT, "%.4f", face.face().score()));
                    for (double p : face.points5()) {
                        line.append(',').append(String.format(Locale.ROOT, "%.2f", p));
                    }
                    manifest.line(line.toString());
                    found.incrementAndGet();
                } catch (FaceoffException e) {
                    failures.line(csv(image) + "," + e.code().code());
                    missed.incrementAndGet();
                } catch (IOException e) {
                    failures.line(csv(image) + ",unreadable");
                    missed.incrementAndGet();
                }
                progress.step();
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int totalFound = column(manifestFile, 1).size();
        int totalMissed = column(failuresFile, 0).size();
        String summary = String.format(Locale.ROOT, "{\"input\": \"%s\", \"images\": %d, \"faces\": %d, \"noFace\": %d, "
                        + "\"select\": \"%s\", \"pad\": %.2f, \"secondsThisRun\": %.1f, \"imagesThisRun\": %d}%n",
                input.toString().replace("\\", "/"), images.size(), totalFound, totalMissed,
                selection.name().toLowerCase(Locale.ROOT), pad, seconds, todo.size());
        Files.writeString(output.resolve("summary.json"), summary);
        out.printf("align: faces %d/%d (%.2f%%), no face %d; this run %d images in %.1fs (%.1f img/s)%n",
                totalFound, images.size(), 100.0 * totalFound / Math.max(1, images.size()), totalMissed, todo.size(),
                seconds, todo.size() / Math.max(seconds, 1e-9));
        return 0;
    }

    private static void write(Path file, PreparedFace face, String format) throws IOException {
        Files.createDirectories(file.getParent());
        int size = face.aligned().size();
        Mat mat = new Mat(size, size, CvType.CV_8UC3);
        MatOfInt params = format.equals("jpg") ? new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 95)
                : new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3);
        try {
            mat.put(0, 0, face.aligned().bgr());
            if (!Imgcodecs.imwrite(file.toString(), mat, params)) {
                throw new IOException("could not write " + file);
            }
        } finally {
            mat.release();
            params.release();
        }
    }

    static List<String> listImages(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root, 2, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|webp|bmp)$"))
                    .map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .filter(f -> f.contains("/"))
                    .sorted().toList();
        }
    }

    /** One column of a CSV written by this job (fields quoted only when they hold a comma or quote). */
    static List<String> column(Path csvFile, int index) throws IOException {
        if (!Files.exists(csvFile)) {
            return List.of();
        }
        var values = new ArrayList<String>();
        List<String> lines = Files.readAllLines(csvFile);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isBlank()) {
                values.add(fields(line).get(index));
            }
        }
        return values;
    }

    static List<String> fields(String line) {
        var fields = new ArrayList<String>();
        var field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private static String csv(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static Appender appender(Path file, String header) throws IOException {
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        BufferedWriter writer = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh) {
            writer.write(header);
            writer.newLine();
            writer.flush();
        }
        return new Appender(writer);
    }

    /** A CSV being appended to by several threads; each line is flushed so an interruption loses nothing. */
    private record Appender(BufferedWriter writer) implements AutoCloseable {
        synchronized void line(String line) {
            try {
                writer.write(line);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }
}
