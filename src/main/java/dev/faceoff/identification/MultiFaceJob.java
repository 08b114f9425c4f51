package dev.faceoff.identification;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.springframework.stereotype.Component;

import dev.faceoff.evaluation.FacePreparation;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.IdentificationThreshold;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;

/**
 * Several faces per subject on CFP-dev: frontal galleries of k faces per subject, profile probes, half the subjects
 * left out as impostors (random splits, a fixed seed); each subject enrolled with its k faces and searched by its
 * mean template (the store's aggregation, the service's), or each face enrolled as a subject of its own and a
 * person found by their best face; DIR at rank 1 at the empirical FPIR threshold, and the FPIR measured at the
 * threshold for the target with N counting templates or subjects.
 */
@Component("multiface")
final class MultiFaceJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar multiface [--models NAME[,NAME…]] [--images DIR] [--faces 1,3,5]
                   [--splits 10] [--seed 33] [--fpir 0.01] [--threads N] [--out DIR]
              CFP-dev (--images, default ../shared/datasets/cfp-dev: Data/Images/NNN/{frontal,profile}): galleries of
              k frontal faces per subject, profile probes, half the subjects impostors in each split; best face vs
              mean template. --models: default the default model. Writes OUT/multiface.md (default target/evaluation).""";

    /** How a subject's faces are enrolled and scored. */
    enum Aggregation {
        /** Every face a gallery subject of its own ({@code PERSON-fI}); a person found by their best face. */
        BEST,
        /** The person's faces enrolled to one subject, searched by their mean template (the service). */
        MEAN
    }

    /** The gallery subject of a person's i-th face under best-face aggregation. */
    static String faceSubject(String person, int i) {
        return person + "-f" + i;
    }

    /** The person of a gallery subject ({@link #faceSubject}'s inverse; a person's own id as it is). */
    static String person(String subject) {
        int cut = subject.lastIndexOf("-f");
        return cut < 0 ? subject : subject.substring(0, cut);
    }

    /** One split's searches of one model, faces per subject and aggregation, and the service's thresholds at both Ns. */
    record Split(List<OpenSetMetrics.Probe> probes, IdentificationThreshold byTemplates, IdentificationThreshold bySubjects) {
    }

    private final ModelRepository models;
    private final FacePreparation preparation;

    MultiFaceJob(ModelRepository models, FacePreparation preparation) {
        this.models = models;
        this.preparation = preparation;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("models", "images", "faces", "splits", "seed", "fpir", "threads", "out");
        List<LoadedModel> chosen = BlufrJob.chosen(models, args.list("models"));
        Path root = args.path("images", Path.of("..", "shared", "datasets", "cfp-dev"));
        List<Integer> faces = args.list("faces").isEmpty() ? List.of(1, 3, 5)
                : args.list("faces").stream().map(Integer::parseInt).toList();
        int splits = args.integer("splits", 10);
        long seed = args.integer("seed", 33);
        double fpir = Double.parseDouble(args.get("fpir", "0.01"));
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        Path outDir = args.path("out", Path.of("target", "evaluation"));

        Map<String, List<String>> frontal = images(root, "frontal");
        Map<String, List<String>> profile = images(root, "profile");
        var all = new ArrayList<String>();
        frontal.values().forEach(all::addAll);
        profile.values().forEach(all::addAll);
        out.printf("multiface: %d subjects, %d images; models %s; faces %s; %d splits, seed %d; FPIR %s%n",
                frontal.size(), all.size(), chosen.stream().map(LoadedModel::name).toList(), faces, splits, seed, fpir);
        FacePreparation.Served served = preparation.served(chosen, root, all, threads, out);
        out.printf("multiface: faces found in %d/%d images%s%n", all.size() - served.noFace().size(), all.size(),
                served.noFace().isEmpty() ? "" : "; none in " + served.noFace().keySet());

        var results = new LinkedHashMap<String, List<Split>>();
        var random = new Random(seed);
        try (var gallery = new TemporaryGallery()) {
            for (int s = 0; s < splits; s++) {
                var subjects = new ArrayList<>(frontal.keySet());
                Collections.shuffle(subjects, random);
                Set<String> enrolled = new TreeSet<>(subjects.subList(0, subjects.size() / 2));
                var order = new HashMap<String, List<String>>();
                for (String subject : enrolled) {
                    var shuffled = new ArrayList<>(frontal.get(subject));
                    Collections.shuffle(shuffled, random);
                    order.put(subject, shuffled);
                }
                for (int k : faces) {
                    for (Aggregation aggregation : Aggregation.values()) {
                        String tenant = "s" + s + "-k" + k + "-" + aggregation.name().toLowerCase(Locale.ROOT);
                        long people = 0;
                        for (String subject : enrolled) {
                            List<String> found = order.get(subject).subList(0, k).stream()
                                    .filter(i -> !served.noFace().containsKey(i)).toList();
                            enrol(gallery, tenant, subject, found, aggregation, chosen, served);
                            people += found.isEmpty() ? 0 : 1;
                        }
                        for (LoadedModel model : chosen) {
                            Split split = search(gallery, tenant, model, profile, enrolled, people, served, fpir);
                            results.computeIfAbsent(key(model.name(), k, aggregation), x -> new ArrayList<>()).add(split);
                        }
                    }
                }
                out.printf("multiface: split %d/%d done%n", s + 1, splits);
            }
        }
        String report = report(results, chosen, faces, fpir, served.noFace().size(), all.size());
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("multiface.md"), report);
        out.print(report);
        out.println("multiface: wrote " + outDir.resolve("multiface.md"));
        return 0;
    }

    private static String key(String model, int k, Aggregation aggregation) {
        return model + "|" + k + "|" + aggregation;
    }

    /** A subject's found faces enrolled: each as a subject of its own (best), or all as the subject's faces (mean). */
    private static void enrol(TemporaryGallery gallery, String tenant, String subject, List<String> found,
                              Aggregation aggregation, List<LoadedModel> chosen, FacePreparation.Served served) {
        if (found.isEmpty()) {
            return;   // no face: the subject is not enrolled, its probes are misses
        }
        for (int i = 0; i < found.size(); i++) {
            String image = found.get(i);
            var templates = new HashMap<String, float[]>();
            chosen.forEach(m -> templates.put(m.name(), served.embeddings().get(m.name()).get(image)));
            gallery.enrol(tenant, aggregation == Aggregation.BEST ? faceSubject(subject, i) : subject,
                    served.quality().get(image), templates);
        }
    }

    /** Every profile image searched in the tenant's gallery; the threshold for {@code fpir} at N = templates and N = subjects. */
    private static Split search(TemporaryGallery gallery, String tenant, LoadedModel model, Map<String, List<String>> profile,
                                Set<String> enrolled, long people, FacePreparation.Served served, double fpir) {
        Map<String, float[]> vectors = served.embeddings().get(model.name());
        var probes = new ArrayList<OpenSetMetrics.Probe>();
        for (var entry : profile.entrySet()) {
            boolean mated = enrolled.contains(entry.getKey());
            for (String image : entry.getValue()) {
                float[] probe = vectors.get(image);
                if (probe == null) {
                    probes.add(OpenSetMetrics.Probe.noFace(mated));
                    continue;
                }
                var searched = gallery.search(tenant, model.name(), model.manifest(), probe, fpir, entry.getKey(), mated,
                        MultiFaceJob::person);
                probes.add(searched.probe());
            }
        }
        long templates = gallery.counts(tenant, model.name()).templates();
        IdentificationThreshold byTemplates = model.manifest().identificationThreshold(fpir, templates).orElseThrow();
        IdentificationThreshold bySubjects = model.manifest().identificationThreshold(fpir, people).orElseThrow();
        return new Split(probes, byTemplates, bySubjects);
    }

    /** Each subject's images of one pose, {@code Data/Images/NNN/POSE/*.jpg}, by subject and file name. */
    private static Map<String, List<String>> images(Path root, String pose) throws IOException {
        var bySubject = new java.util.TreeMap<String, List<String>>();
        Path images = root.resolve("Data").resolve("Images");
        try (Stream<Path> subjects = Files.list(images)) {
            for (Path subject : subjects.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(subject.resolve(pose))) {
                    bySubject.put(subject.getFileName().toString(), files.map(f -> root.relativize(f).toString())
                            .filter(f -> f.endsWith(".jpg")).sorted().toList());
                }
            }
        }
        return bySubject;
    }

    /** A rate over the splits, each at its own threshold (the splits are of one size: the pooled rate). */
    private static double mean(List<Split> splits, java.util.function.ToDoubleFunction<Split> rate) {
        return splits.stream().mapToDouble(rate).average().orElse(Double.NaN);
    }

    private static String report(Map<String, List<Split>> results, List<LoadedModel> chosen, List<Integer> faces,
                                 double fpir, int noFace, int images) {
        var md = new StringBuilder();
        Split any = results.values().iterator().next().get(0);
        long mated = any.probes().stream().filter(OpenSetMetrics.Probe::mated).count();
        md.append(String.format(Locale.ROOT, "CFP-dev, %d splits; per split %d mated and %d non-mated profile probes; "
                        + "images with no face: %d of %d%n%n", results.values().iterator().next().size(), mated,
                any.probes().size() - mated, noFace, images));
        md.append(String.format(Locale.ROOT, "| model | faces / subject | aggregation | DIR@rank1, FPIR %s (mean ± std) "
                + "| FNIR | N = templates: threshold, FPIR measured, DIR | N = subjects: threshold, FPIR measured, DIR |%n"
                + "|---|---|---|---|---|---|---|%n", fpir));
        for (LoadedModel model : chosen) {
            for (int k : faces) {
                for (Aggregation aggregation : Aggregation.values()) {
                    List<Split> splits = results.get(key(model.name(), k, aggregation));
                    double[] dirs = splits.stream().mapToDouble(s -> OpenSetMetrics.dir(s.probes(),
                            OpenSetMetrics.thresholdAtFpir(s.probes(), fpir))).toArray();
                    var dir = OpenSetMetrics.Spread.of(dirs);
                    IdentificationThreshold templates = splits.get(0).byTemplates();
                    IdentificationThreshold subjects = splits.get(0).bySubjects();
                    md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.4f ± %.4f | %.4f | %.4f (N %d), %.4f, %.4f "
                                    + "| %.4f (N %d), %.4f, %.4f |%n", model.name(), k,
                            aggregation == Aggregation.BEST ? "best face" : "mean template", dir.mean(), dir.std(),
                            1 - dir.mean(), templates.cosine(), templates.gallerySize(),
                            mean(splits, s -> OpenSetMetrics.fpir(s.probes(), s.byTemplates().cosine())),
                            mean(splits, s -> OpenSetMetrics.dir(s.probes(), s.byTemplates().cosine())),
                            subjects.cosine(), subjects.gallerySize(),
                            mean(splits, s -> OpenSetMetrics.fpir(s.probes(), s.bySubjects().cosine())),
                            mean(splits, s -> OpenSetMetrics.dir(s.probes(), s.bySubjects().cosine()))));
                }
            }
        }
        return md.toString();
    }
}
