package dev.faceoff.identification;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import dev.faceoff.evaluation.FacePreparation;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.IdentificationThreshold;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;

/**
 * BLUFR's open-set protocol on LFW through the gallery's own code: per trial its gallery enrolled into a real
 * embedded store (one tenant), every probe identified by the service's search and threshold, and BLUFR's DIR at rank 1
 * at FPIR 1%, its VR at FAR 0.1% over the trial's test set, and the FPIR the service's threshold predicts against
 * the FPIR measured there.
 */
@Component("blufr")
final class BlufrJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar blufr [--models NAME[,NAME…]] [--lists DIR] [--images DIR]
                   [--fpir 0.01] [--far 0.001] [--trials 10] [--threads N] [--out DIR]
              BLUFR (LFW, 10 trials of a 1,000-subject gallery and 8,388 to 9,281 probes) through the gallery's
              store and identification threshold. --models: default the default model. --lists: BLUFR's lists
              (../shared/datasets/lfw/blufr); --images: lfw-deepfunneled beside them. Faces and embeddings through
              the evaluation caches (resumable). Writes OUT/blufr.md (default target/evaluation).""";

    private static final String TENANT = "blufr";

    private final ModelRepository models;
    private final FacePreparation preparation;

    BlufrJob(ModelRepository models, FacePreparation preparation) {
        this.models = models;
        this.preparation = preparation;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    /** One model's trial: the empirical threshold and the service's, and what each gives. */
    record TrialResult(double dir, double vr, double threshold, IdentificationThreshold service, double measuredFpir,
                       double serviceDir) {
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("models", "lists", "images", "fpir", "far", "trials", "threads", "out");
        List<LoadedModel> chosen = chosen(models, args.list("models"));
        Path lists = args.path("lists", Path.of("..", "shared", "datasets", "lfw", "blufr"));
        Path root = args.path("images", lists.toAbsolutePath().getParent().resolve("lfw-deepfunneled"));
        double fpir = Double.parseDouble(args.get("fpir", "0.01"));
        double far = Double.parseDouble(args.get("far", "0.001"));
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        Path outDir = args.path("out", Path.of("target", "evaluation"));
        BlufrLists blufr = BlufrLists.read(lists);
        int trials = Math.min(args.integer("trials", blufr.trials().size()), blufr.trials().size());
        out.printf("blufr: %d images, %d trials; models %s; FPIR %s, FAR %s%n", blufr.images().size(), trials,
                chosen.stream().map(LoadedModel::name).toList(), fpir, far);

        FacePreparation.Served served = preparation.served(chosen, root, blufr.images(), threads, out);
        out.printf("blufr: faces found in %d/%d images%s%n", blufr.images().size() - served.noFace().size(),
                blufr.images().size(), served.noFace().isEmpty() ? "" : "; none in " + served.noFace());

        var pairs = new HashMap<String, OpenSetMetrics.AllPairs>();   // every pair of the image list, scored once
        for (LoadedModel model : chosen) {
            Map<String, float[]> vectors = served.embeddings().get(model.name());
            pairs.put(model.name(), OpenSetMetrics.AllPairs.of(blufr.images().stream().map(vectors::get)
                    .toArray(float[][]::new)));
            out.printf("blufr: every pair of the %d images scored with %s%n", blufr.images().size(), model.name());
        }
        var results = new LinkedHashMap<String, List<TrialResult>>();
        chosen.forEach(m -> results.put(m.name(), new ArrayList<>()));
        var noFace = new ArrayList<String>();
        for (int t = 0; t < trials; t++) {
            BlufrLists.Trial trial = blufr.trials().get(t);
            noFace.add(trialNoFace(blufr, trial, served));
            try (var gallery = new TemporaryGallery()) {
                Set<Integer> enrolled = new HashSet<>();
                for (int i : trial.gallery()) {
                    String image = blufr.images().get(i);
                    enrolled.add(blufr.labels()[i]);
                    if (served.noFace().containsKey(image)) {
                        continue;   // not enrolled: its subject's probes can only be missed
                    }
                    var templates = new HashMap<String, float[]>();
                    chosen.forEach(m -> templates.put(m.name(), served.embeddings().get(m.name()).get(image)));
                    gallery.enrol(TENANT, subject(blufr.labels()[i]), served.quality().get(image), templates);
                }
                for (LoadedModel model : chosen) {
                    TrialResult r = trial(blufr, trial, enrolled, gallery, model, served, pairs.get(model.name()), fpir, far);
                    results.get(model.name()).add(r);
                    out.printf(Locale.ROOT, "blufr: trial %d %s: DIR@FPIR%s %.4f (threshold %.4f), VR@FAR%s %.4f; "
                                    + "service threshold %.4f (N %d, p %.2e): FPIR %.4f, DIR %.4f%n", t + 1, model.name(),
                            fpir, r.dir(), r.threshold(), far, r.vr(), r.service().cosine(), r.service().gallerySize(),
                            r.service().far(), r.measuredFpir(), r.serviceDir());
                }
            }
        }
        String report = report(results, fpir, far, noFace);
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("blufr.md"), report);
        out.print(report);
        out.println("blufr: wrote " + outDir.resolve("blufr.md"));
        return 0;
    }

    private static TrialResult trial(BlufrLists blufr, BlufrLists.Trial trial, Set<Integer> enrolled,
                                     TemporaryGallery gallery, LoadedModel model, FacePreparation.Served served,
                                     OpenSetMetrics.AllPairs pairs, double fpir, double far) {
        Map<String, float[]> vectors = served.embeddings().get(model.name());
        var probes = new ArrayList<OpenSetMetrics.Probe>();
        IdentificationThreshold service = null;
        for (int i : trial.probes()) {
            int label = blufr.labels()[i];
            boolean mated = enrolled.contains(label);
            float[] probe = vectors.get(blufr.images().get(i));
            if (probe == null) {
                probes.add(OpenSetMetrics.Probe.noFace(mated));
                continue;
            }
            var searched = gallery.search(TENANT, model.name(), model.manifest(), probe, fpir, subject(label), mated);
            probes.add(searched.probe());
            service = searched.threshold().orElseThrow();
        }
        double threshold = OpenSetMetrics.thresholdAtFpir(probes, fpir);
        double vr = OpenSetMetrics.verificationRate(pairs, testSet(trial), blufr.labels(), far);
        return new TrialResult(OpenSetMetrics.dir(probes, threshold), vr, threshold, service,
                OpenSetMetrics.fpir(probes, service.cosine()), OpenSetMetrics.dir(probes, service.cosine()));
    }

    /** The trial's test set: gallery ∪ probes. */
    private static int[] testSet(BlufrLists.Trial trial) {
        var all = new java.util.LinkedHashSet<Integer>();
        for (int i : trial.gallery()) {
            all.add(i);
        }
        for (int i : trial.probes()) {
            all.add(i);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String trialNoFace(BlufrLists blufr, BlufrLists.Trial trial, FacePreparation.Served served) {
        long gallery = java.util.Arrays.stream(trial.gallery()).filter(i -> served.noFace().containsKey(blufr.images().get(i))).count();
        long probes = java.util.Arrays.stream(trial.probes()).filter(i -> served.noFace().containsKey(blufr.images().get(i))).count();
        return gallery + " of " + trial.gallery().length + " gallery, " + probes + " of " + trial.probes().length + " probes";
    }

    /** The named embedding models; none named: the default model. */
    static List<LoadedModel> chosen(ModelRepository models, List<String> names) {
        if (names.isEmpty()) {
            return List.of(models.defaultEmbedding());
        }
        return names.stream().map(n -> models.embedding(n).orElseThrow(() -> new IllegalArgumentException(
                "no embedding model '" + n + "'; have " + models.embeddings().stream().map(LoadedModel::name).toList())))
                .toList();
    }

    static String subject(int label) {
        return "s" + label;
    }

    private static String report(Map<String, List<TrialResult>> results, double fpir, double far, List<String> noFace) {
        var md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "BLUFR on LFW, %d trials; images with no face per trial: %s%n%n",
                noFace.size(), String.join("; ", new java.util.TreeSet<>(noFace))));
        md.append(String.format(Locale.ROOT, "| model | DIR@rank1, FPIR %s: mean − std (mean ± std) | VR@FAR %s: mean − std "
                + "(mean ± std) | service threshold (N, p) | FPIR predicted | FPIR measured (mean ± std) | DIR at the "
                + "service threshold |%n|---|---|---|---|---|---|---|%n", fpir, far));
        results.forEach((model, trials) -> {
            var dir = OpenSetMetrics.Spread.of(trials.stream().mapToDouble(TrialResult::dir).toArray());
            var vr = OpenSetMetrics.Spread.of(trials.stream().mapToDouble(TrialResult::vr).toArray());
            var measured = OpenSetMetrics.Spread.of(trials.stream().mapToDouble(TrialResult::measuredFpir).toArray());
            var serviceDir = OpenSetMetrics.Spread.of(trials.stream().mapToDouble(TrialResult::serviceDir).toArray());
            var cosine = OpenSetMetrics.Spread.of(trials.stream().mapToDouble(r -> r.service().cosine()).toArray());
            IdentificationThreshold first = trials.get(0).service();
            md.append(String.format(Locale.ROOT, "| %s | **%.4f** (%.4f ± %.4f) | **%.4f** (%.4f ± %.4f) | %.4f (%d, %.2e)%s "
                            + "| %.4f | %.4f ± %.4f | %.4f ± %.4f |%n", model, dir.meanMinusStd(), dir.mean(), dir.std(),
                    vr.meanMinusStd(), vr.mean(), vr.std(), cosine.mean(), first.gallerySize(), first.far(),
                    first.beyondCalibration() ? " beyond calibration" : "", first.fpir(), measured.mean(), measured.std(),
                    serviceDir.mean(), serviceDir.std()));
        });
        return md.toString();
    }
}
