package dev.faceoff.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.unit.DataSize;

import dev.faceoff.FaceoffApplication;
import dev.faceoff.common.StageTimings;
import dev.faceoff.alignment.LandmarkModel;
import dev.faceoff.detection.Box;
import dev.faceoff.detection.DetectionProperties;
import dev.faceoff.detection.YuNetDecoding;
import dev.faceoff.face.FacePipeline;
import dev.faceoff.face.PreparedFace;
import dev.faceoff.image.DecodedImage;
import dev.faceoff.image.ImageDecoder;
import dev.faceoff.image.ImageProperties;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.Pixels;

/**
 * Benchmark tool (not a test), run by {@code bench/perf.py}.
 * <ul>
 * <li>{@code sets OUT PAIRS_TXT N}: the harness's image sets from the first N/2 same and N/2 different pairs
 * of LFW's fold 1 — {@code small} (the 250×250 photos as they are), {@code phone12mp} and {@code phone1080p}
 * (each photo enlarged 4× onto 4000×3000, 2× onto 1920×1080, JPEG 92), {@code tiny} (the face's box cropped
 * and shrunk to 64 px). Each pair is a JSON body {@code OUT/<set>/NNN.json} and two images.</li>
 * <li>{@code ceiling SET_DIR SECONDS THREADS,...}: the same models through bare ONNX Runtime sessions — no
 * HTTP, no Spring, no admission, no retries — for each thread count, on the set's pairs: decode (OpenCV, at
 * the reduced scale the service picks), the detector's input and run, the 68-point model's input (from the
 * face's box) and run, and both aligned crops through the embedder in one run. The boxes and aligned crops
 * come from the serving pipeline, found before the clock starts. Prints one JSON line per thread count.</li>
 * <li>{@code decode JPEG...}: what decoding alone costs, one thread: each file at full size and at 1/2, 1/4
 * and 1/8 (OpenCV's reduced reads, libjpeg's DCT scaling), median of 20 after 5 warm-up decodes. The harness's
 * phone-size JPEGs are flat canvases (about 300 KB); a phone's 12 MP photo is 3–6 MB, and libjpeg's Huffman
 * decoding, which no reduced scale skips, grows with the bytes. CPU time of the thread (ThreadMXBean), so a
 * busy machine inflates it less than wall time.</li>
 * <li>{@code crop JPEG...}: the face's region (the serving pipeline's box, widened by its size on each side)
 * decoded at 1/2 and 1/4 scale: OpenCV's whole reduced decode with the region cut out, against ImageIO's JPEG
 * reader with {@code setSourceRegion} and {@code setSourceSubsampling}; CPU ms of one thread, median of 20.</li>
 * <li>{@code stages IMAGE...}: where one image's time goes in the serving pipeline ({@code FacePipeline}, the
 * service's configuration, one thread): CPU ms per stage and how many times each ran (decodes, detector
 * runs), median of 20 after 5 warm-up runs; first a line with the face chosen (its box and score) and how
 * many were found.</li>
 * </ul>
 */
public final class ServingBench {

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sets" -> sets(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
            case "ceiling" -> ceiling(Path.of(args[1]), Double.parseDouble(args[2]), args[3]);
            case "decode" -> decode(java.util.Arrays.stream(args, 1, args.length).map(Path::of).toList());
            case "crop" -> crop(java.util.Arrays.stream(args, 1, args.length).map(Path::of).toList());
            case "stages" -> stages(java.util.Arrays.stream(args, 1, args.length).map(Path::of).toList());
            default -> throw new IllegalArgumentException(
                    "usage: sets OUT PAIRS_TXT N | ceiling SET_DIR SECONDS THREADS | decode JPEG... | stages IMAGE...");
        }
        System.exit(0);
    }

    static ConfigurableApplicationContext context() {
        return new SpringApplicationBuilder(FaceoffApplication.class).web(WebApplicationType.NONE)
                .run("--faceoff.models.include=mobilefacenet-faceplugin", "--faceoff.runtime.provider=cpu",
                        "--logging.level.root=WARN");
    }

    static final List<String> SETS = List.of("small", "phone12mp", "phone1080p", "tiny", "phone12mp-textured");

    /** The textured phone-size set is large (about 4 MB a photo): every fourth pair of the others. */
    static final int TEXTURED_EVERY = 4;

    static void sets(Path out, Path pairsFile, int n) throws Exception {
        PairList lfw = PairList.lfw(pairsFile, pairsFile.resolveSibling("lfw-deepfunneled"));
        var chosen = new ArrayList<PairList.Pair>();
        for (boolean same : new boolean[]{true, false}) {
            lfw.pairs().stream().filter(p -> p.fold() == lfw.pairs().get(0).fold() && p.same() == same)
                    .limit(n / 2).forEach(chosen::add);
        }
        try (var context = context()) {
            FacePipeline pipeline = context.getBean(FacePipeline.class);
            DetectionProperties detection = context.getBean(DetectionProperties.class);
            for (String set : SETS) {
                Path dir = Files.createDirectories(out.resolve(set));
                var bodies = new ArrayList<String>();
                for (int i = 0; i < chosen.size(); i++) {
                    if (set.equals("phone12mp-textured") && i % TEXTURED_EVERY != 0) {
                        continue;
                    }
                    PairList.Pair p = chosen.get(i);
                    byte[][] images = new byte[2][];
                    for (int k = 0; k < 2; k++) {
                        byte[] original = Files.readAllBytes(lfw.root().resolve(k == 0 ? p.image1() : p.image2()));
                        images[k] = transformed(set, original, pipeline, detection);
                        Files.write(dir.resolve(String.format(Locale.ROOT, "%03d-%d.jpg", i, k + 1)), images[k]);
                    }
                    Path body = dir.resolve(String.format(Locale.ROOT, "%03d.json", i));
                    Files.writeString(body, "{\"image1\":\"" + Base64.getEncoder().encodeToString(images[0])
                            + "\",\"image2\":\"" + Base64.getEncoder().encodeToString(images[1]) + "\"}");
                    bodies.add(body.toAbsolutePath().toString());
                }
                Files.write(dir.resolve("bodies.txt"), bodies);
                System.out.println("sets: " + set + ": " + bodies.size() + " pairs in " + dir);
            }
        }
    }

    static byte[] transformed(String set, byte[] original, FacePipeline pipeline, DetectionProperties detection) {
        if (set.equals("small")) {
            return original;
        }
        if (set.equals("phone12mp-textured")) {
            return textured(original);
        }
        Mat bgr = Imgcodecs.imdecode(new MatOfByte(original), Imgcodecs.IMREAD_COLOR);
        Mat changed = switch (set) {
            case "phone12mp" -> Transforms.canvas(bgr, 4000, 3000, 4);
            case "phone1080p" -> Transforms.canvas(bgr, 1920, 1080, 2);
            case "tiny" -> Transforms.DOWN64.apply(bgr,
                    pipeline.prepare(original, detection.select(), "image", new StageTimings()).face());
            default -> throw new IllegalArgumentException(set);
        };
        try {
            return Transforms.jpeg(changed);
        } finally {
            bgr.release();
            changed.release();
        }
    }

    /**
     * A phone photo's texture: the photo stretched to 4000×3000 (bicubic) with Gaussian noise (σ 12, seeded),
     * JPEG quality 90: about 4 MB, whose Huffman decoding costs what a real phone photo's does (like
     * {@code convert in.jpg -resize 4000x3000! -attenuate 0.6 +noise Gaussian -quality 90 out.jpg}).
     */
    static byte[] textured(byte[] original) {
        Mat bgr = Imgcodecs.imdecode(new MatOfByte(original), Imgcodecs.IMREAD_COLOR);
        Mat big = new Mat();
        Mat noise = new Mat(3000, 4000, org.opencv.core.CvType.CV_16SC3);
        Mat noisy = new Mat();
        MatOfByte buffer = new MatOfByte();
        org.opencv.core.MatOfInt params = new org.opencv.core.MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        try {
            Imgproc.resize(bgr, big, new Size(4000, 3000), 0, 0, Imgproc.INTER_CUBIC);
            Core.setRNGSeed(7);
            Core.randn(noise, 0, TEXTURE_SIGMA);
            big.convertTo(big, org.opencv.core.CvType.CV_16SC3);
            Core.add(big, noise, noisy);
            noisy.convertTo(noisy, org.opencv.core.CvType.CV_8UC3);   // saturating
            Imgcodecs.imencode(".jpg", noisy, buffer, params);
            return buffer.toArray();
        } finally {
            for (Mat m : List.of(bgr, big, noise, noisy, buffer, params)) {
                m.release();
            }
        }
    }

    static final double TEXTURE_SIGMA = Double.parseDouble(System.getProperty("texture.sigma", "12"));

    static void decode(List<Path> files) throws Exception {
        dev.faceoff.image.OpenCvLoader.load();
        Core.setNumThreads(1);
        int[] flags = {Imgcodecs.IMREAD_COLOR, Imgcodecs.IMREAD_REDUCED_COLOR_2, Imgcodecs.IMREAD_REDUCED_COLOR_4,
            Imgcodecs.IMREAD_REDUCED_COLOR_8};
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            var line = new StringBuilder(String.format(Locale.ROOT, "{\"file\":\"%s\",\"kib\":%d", file.getFileName(),
                    bytes.length / 1024));
            MatOfByte buffer = new MatOfByte(bytes);
            for (int k = 0; k < flags.length; k++) {
                double[] ms = new double[20];
                for (int i = -5; i < ms.length; i++) {
                    long t = CPU.getCurrentThreadCpuTime();
                    Mat m = Imgcodecs.imdecode(buffer, flags[k]);
                    if (i >= 0) {
                        ms[i] = (CPU.getCurrentThreadCpuTime() - t) / 1e6;
                    }
                    m.release();
                }
                java.util.Arrays.sort(ms);
                line.append(String.format(Locale.ROOT, ",\"1/%d_ms\":%.2f", 1 << k, ms[ms.length / 2]));
            }
            buffer.release();
            System.out.println(line.append("}"));
        }
    }

    /**
     * The face's region decoded at 1/2 and 1/4 of the size as sent, three ways, CPU ms of one thread (median of 20
     * after 5 warm-up runs): OpenCV's whole reduced decode ({@code IMREAD_REDUCED_COLOR_2/4}, then the region cut
     * out), and ImageIO's JPEG reader with {@code setSourceRegion} (the box, widened by its size on each side) and
     * {@code setSourceSubsampling(2, 2)} / {@code (4, 4)}. The box is the serving pipeline's face.
     */
    static void crop(List<Path> files) throws Exception {
        javax.imageio.ImageIO.setUseCache(false);
        try (var context = context()) {
            FacePipeline pipeline = context.getBean(FacePipeline.class);
            DetectionProperties detection = context.getBean(DetectionProperties.class);
            Core.setNumThreads(1);
            for (Path file : files) {
                byte[] bytes = Files.readAllBytes(file);
                PreparedFace face = pipeline.prepare(bytes, detection.select(), "image", new StageTimings());
                Box b = face.face().box();
                int w = face.imageWidth();
                int h = face.imageHeight();
                int x1 = (int) Math.max(0, b.x1() - b.width());
                int y1 = (int) Math.max(0, b.y1() - b.height());
                int x2 = (int) Math.min(w, b.x2() + b.width());
                int y2 = (int) Math.min(h, b.y2() + b.height());
                var region = new java.awt.Rectangle(x1, y1, x2 - x1, y2 - y1);
                var line = new StringBuilder(String.format(Locale.ROOT,
                        "{\"file\":\"%s\",\"kib\":%d,\"region\":\"%dx%d+%d+%d\"", file.getFileName(),
                        bytes.length / 1024, region.width, region.height, region.x, region.y));
                MatOfByte buffer = new MatOfByte(bytes);
                for (int r : new int[]{2, 4}) {
                    int flag = r == 2 ? Imgcodecs.IMREAD_REDUCED_COLOR_2 : Imgcodecs.IMREAD_REDUCED_COLOR_4;
                    line.append(String.format(Locale.ROOT, ",\"opencv_1/%d_ms\":%.2f", r, medianCpu(() -> {
                        Mat m = Imgcodecs.imdecode(buffer, flag);
                        Mat roi = m.submat(new org.opencv.core.Rect(x1 / r, y1 / r,
                                Math.min(region.width / r, m.cols() - x1 / r), Math.min(region.height / r, m.rows() - y1 / r))).clone();
                        roi.release();
                        m.release();
                    })));
                    line.append(String.format(Locale.ROOT, ",\"imageio_1/%d_ms\":%.2f", r, medianCpu(() -> {
                        var reader = javax.imageio.ImageIO.getImageReadersByFormatName("jpeg").next();
                        try (var in = new javax.imageio.stream.MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
                            reader.setInput(in, true, true);
                            var param = reader.getDefaultReadParam();
                            param.setSourceRegion(region);
                            param.setSourceSubsampling(r, r, 0, 0);
                            var image = reader.read(0, param);
                            if (image.getWidth() < region.width / r) {
                                throw new IllegalStateException("short read");
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } finally {
                            reader.dispose();
                        }
                    })));
                }
                buffer.release();
                System.out.println(line.append("}"));
            }
        }
    }

    private static double medianCpu(Runnable run) {
        double[] ms = new double[20];
        for (int i = -5; i < ms.length; i++) {
            long t = CPU.getCurrentThreadCpuTime();
            run.run();
            if (i >= 0) {
                ms[i] = (CPU.getCurrentThreadCpuTime() - t) / 1e6;
            }
        }
        return median(ms);
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    static void stages(List<Path> files) throws Exception {
        try (var context = context()) {
            FacePipeline pipeline = context.getBean(FacePipeline.class);
            DetectionProperties detection = context.getBean(DetectionProperties.class);
            for (Path file : files) {
                byte[] bytes = Files.readAllBytes(file);
                var perStage = new java.util.TreeMap<String, double[]>();
                double[] total = new double[20];
                StageTimings last = null;
                for (int i = -5; i < total.length; i++) {
                    StageTimings timings = StageTimings.cpu();
                    long t = CPU.getCurrentThreadCpuTime();
                    var prepared = pipeline.prepare(bytes, detection.select(), "image", timings);
                    if (i == -5) {   // the face chosen, in the pixels of the image as sent
                        System.out.println("{\"file\":\"" + file.getFileName() + "\",\"faces\":" + prepared.facesFound()
                                + ",\"box\":\"" + prepared.face().box() + "\",\"score\":" + prepared.face().score() + "}");
                    }
                    if (i < 0) {
                        continue;
                    }
                    total[i] = (CPU.getCurrentThreadCpuTime() - t) / 1e6;
                    for (var e : timings.nanos().entrySet()) {
                        perStage.computeIfAbsent(e.getKey().label(), k -> new double[total.length])[i] = e.getValue() / 1e6;
                    }
                    last = timings;
                }
                var line = new StringBuilder(String.format(Locale.ROOT, "{\"file\":\"%s\",\"kib\":%d,\"cpu_ms\":%.2f",
                        file.getFileName(), bytes.length / 1024, median(total)));
                for (var e : perStage.entrySet()) {
                    line.append(String.format(Locale.ROOT, ",\"%s_ms\":%.2f", e.getKey(), median(e.getValue())));
                }
                last.counts().forEach((stage, n) -> line.append(String.format(Locale.ROOT, ",\"%s_n\":%d", stage.label(), n)));
                System.out.println(line.append("}"));
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** One photo of the set: its bytes, its face's box (pixels as sent) and its aligned crop. */
    record Photo(byte[] bytes, Box box, byte[] aligned) {
    }

    static void ceiling(Path setDir, double seconds, String threadList) throws Exception {
        var photos = new ArrayList<Photo>();
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, ModelManifest> manifests = new LinkedHashMap<>();
        int minSide;
        int maxSide;
        int decodeSide;
        try (var context = context()) {
            FacePipeline pipeline = context.getBean(FacePipeline.class);
            DetectionProperties detection = context.getBean(DetectionProperties.class);
            ModelRepository models = context.getBean(ModelRepository.class);
            for (LoadedModel m : List.of(models.detector(), models.landmarks().orElseThrow(), models.defaultEmbedding())) {
                files.put(m.manifest().task().label(), m.directory().resolve(m.manifest().file()));
                manifests.put(m.manifest().task().label(), m.manifest());
            }
            minSide = detection.minSide();
            // the detector's input as the service's first look makes it: the coarse look's copy where it may
            // answer (its cheaper case: a photo whose face is too small for it pays both looks in the service)
            int coarse = pipeline.coarseSide(detection.select());
            maxSide = coarse > 0 ? coarse : detection.maxSide();
            decodeSide = pipeline.decodeSide();
            try (var list = Files.list(setDir)) {
                for (Path image : list.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
                    byte[] bytes = Files.readAllBytes(image);
                    PreparedFace face = pipeline.prepare(bytes, detection.select(), "image", new StageTimings());
                    photos.add(new Photo(bytes, face.face().box(), face.aligned().bgr()));
                }
            }
        }
        var env = OrtEnvironment.getEnvironment();
        var sessions = new LinkedHashMap<String, OrtSession>();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            options.addConfigEntry("session.set_denormal_as_zero", "1");
            for (var e : files.entrySet()) {
                sessions.put(e.getKey(), env.createSession(e.getValue().toString(), options));
            }
        }
        var bare = new Bare(env, sessions, manifests, minSide, maxSide, decodeSide);
        for (int i = 0; i + 1 < photos.size(); i += 2) {   // warm-up: every pair once
            bare.pair(photos.get(i), photos.get(i + 1), new double[4]);
        }
        for (String t : threadList.split(",")) {
            int threads = Integer.parseInt(t.strip());
            var stop = new AtomicBoolean();
            var pairs = new AtomicInteger();
            double[][] stages = new double[threads][4];
            var workers = new ArrayList<Thread>();
            for (int w = 0; w < threads; w++) {
                int me = w;
                var worker = new Thread(() -> {
                    int i = 2 * me;
                    while (!stop.get()) {
                        int a = i % photos.size() & ~1;
                        bare.pair(photos.get(a), photos.get(a + 1), stages[me]);
                        pairs.incrementAndGet();
                        i += 2;
                    }
                });
                worker.start();
                workers.add(worker);
            }
            long started = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            for (Thread worker : workers) {
                worker.join();
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            int done = pairs.get();
            double[] total = new double[4];
            for (double[] s : stages) {
                for (int k = 0; k < 4; k++) {
                    total[k] += s[k];
                }
            }
            System.out.printf(Locale.ROOT, "{\"set\":\"%s\",\"threads\":%d,\"pairs\":%d,\"seconds\":%.2f,"
                            + "\"pairs_per_s\":%.2f,\"stage_ms_per_pair\":{\"decode\":%.2f,\"detect\":%.2f,"
                            + "\"landmarks\":%.2f,\"embed\":%.2f}}%n",
                    setDir.getFileName(), threads, done, elapsed, done / elapsed, total[0] / done, total[1] / done,
                    total[2] / done, total[3] / done);
        }
        for (OrtSession s : sessions.values()) {
            s.close();
        }
    }

    /** The models and OpenCV alone, on shared sessions (each run single-threaded, like the service's). */
    record Bare(OrtEnvironment env, Map<String, OrtSession> sessions, Map<String, ModelManifest> manifests,
                int minSide, int maxSide, int decodeSide) {

        static final ImageDecoder DECODER = new ImageDecoder(new ImageProperties(DataSize.ofMegabytes(20), 40_000_000));

        /** One verification's model work; adds each stage's milliseconds to {@code ms}. */
        void pair(Photo a, Photo b, double[] ms) {
            try {
                for (Photo p : List.of(a, b)) {
                    long t0 = System.nanoTime();
                    try (DecodedImage image = DECODER.decode(p.bytes(), decodeSide)) {
                        long t1 = System.nanoTime();
                        detect(image.bgr());
                        long t2 = System.nanoTime();
                        landmarks(image.bgr(), p.box(), image.scale());
                        long t3 = System.nanoTime();
                        ms[0] += (t1 - t0) / 1e6;
                        ms[1] += (t2 - t1) / 1e6;
                        ms[2] += (t3 - t2) / 1e6;
                    }
                }
                long t4 = System.nanoTime();
                embed(a.aligned(), b.aligned());
                ms[3] += (System.nanoTime() - t4) / 1e6;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void detect(Mat bgr) throws Exception {
            double scale = YuNetDecoding.scaleFor(bgr.cols(), bgr.rows(), minSide, maxSide);
            int w = Math.max(1, (int) Math.round(bgr.cols() * scale));
            int h = Math.max(1, (int) Math.round(bgr.rows() * scale));
            int pw = YuNetDecoding.padded(w);
            int ph = YuNetDecoding.padded(h);
            ModelManifest.Input input = manifests.get("detection").input();
            float[] tensor = new float[3 * pw * ph];
            Mat resized = new Mat();
            Mat padded = new Mat();
            Imgproc.resize(bgr, resized, new Size(w, h), 0, 0, YuNetDecoding.interpolation(scale));
            Core.copyMakeBorder(resized, padded, 0, ph - h, 0, pw - w, Core.BORDER_CONSTANT, new Scalar(0, 0, 0));
            Pixels.toTensor(input, Pixels.bytes(padded), ph, pw, 3, tensor, 0);
            resized.release();
            padded.release();
            run("detection", tensor, 1, 3, ph, pw);
        }

        private void landmarks(Mat bgr, Box box, double scale) throws Exception {
            ModelManifest.Input input = manifests.get("landmarks").input();
            Box scaled = new Box(box.x1() * scale, box.y1() * scale, box.x2() * scale, box.y2() * scale);
            Mat roi = bgr.submat(LandmarkModel.cropRect(scaled, bgr.cols(), bgr.rows()));
            Mat resized = new Mat();
            Mat grey = new Mat();
            Imgproc.resize(roi, resized, new Size(input.width(), input.height()), 0, 0, Imgproc.INTER_LINEAR);
            Imgproc.cvtColor(resized, grey, Imgproc.COLOR_BGR2GRAY);
            float[] tensor = new float[input.width() * input.height()];
            Pixels.toTensor(input, Pixels.bytes(grey), input.height(), input.width(), 1, tensor, 0);
            roi.release();
            resized.release();
            grey.release();
            run("landmarks", tensor, 1, 1, input.height(), input.width());
        }

        private void embed(byte[] a, byte[] b) throws Exception {
            ModelManifest.Input input = manifests.get("embedding").input();
            int plane = 3 * input.height() * input.width();
            float[] tensor = new float[2 * plane];
            Pixels.toTensor(input, a, input.height(), input.width(), 3, tensor, 0);
            Pixels.toTensor(input, b, input.height(), input.width(), 3, tensor, plane);
            run("embedding", tensor, 2, 3, input.height(), input.width());
        }

        private void run(String task, float[] data, long... shape) throws Exception {
            OrtSession session = sessions.get(task);
            try (var tensor = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(data), shape);
                 var result = session.run(Map.of(manifests.get(task).input().name(), tensor))) {
                result.get(0).getValue();   // copy the first output out, as the service does with each
            }
        }
    }
}
