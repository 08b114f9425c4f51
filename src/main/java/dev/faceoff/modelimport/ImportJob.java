package dev.faceoff.modelimport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.faceoff.evaluation.EvaluateJob;
import dev.faceoff.evaluation.PairList;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelLoader;
import dev.faceoff.model.ModelManifest;
import dev.faceoff.model.ModelManifest.Color;
import dev.faceoff.model.ModelManifest.Layout;
import dev.faceoff.model.ModelProperties;
import dev.faceoff.model.ModelRepository;
import dev.faceoff.model.Signature;

/**
 * {@code import}: takes a third-party ONNX face embedder into the model store. Reads its inputs and outputs,
 * probes its pre-processing where it is not given ({@link PreprocessingProbe}), writes {@code model.json}
 * (provenance and licence marked to fill in), checks the folder loads as the service would load it, and with
 * {@code --calibrate} calibrates it as {@code evaluate --calibrate} does. All of it in a hidden folder beside
 * {@code models/NAME} ({@link StagedFolder}), moved into place only when it is complete: a failed import leaves
 * the store as it was.
 */
@Component("import")
final class ImportJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar import --model FILE.onnx --name NAME [options]
              --model FILE        the ONNX embedder (one 4-d float image input; an [N, D] embedding output)
              --name NAME         its name in the store: the folder models/NAME (faceoff.models.dir)
              --loss L            the loss it was trained with, as the A/B reports name it (default unknown)
              --color RGB|BGR     colour order of its input           } any not given is found by the probe
              --mean M[,M,M]      subtracted from pixels 0..255       } (per channel: in the input's channel
              --std S[,S,S]       then divided by                     }  order, e.g. R,G,B for an RGB model)
              --layout NCHW|NHWC  (default: from the input's shape, the axis of size 3)
              --output NAME       the embedding output, when the model has several
              --probe             probe even when colour, mean and std are all given (to check them)
              --probe-pairs FILE  labelled pairs for the probe (default: --pairs), LFW pairs.txt or a CSV
              --probe-count N     pairs the probe uses, spread over the list (default 300)
              --pairs FILE        pair list to calibrate on (default $FACEOFF_SHARED/datasets/lfw/pairs.txt,
                                  FACEOFF_SHARED defaulting to ../shared)
              --calibrate         write thresholds at FAR 1e-2, 1e-3, 1e-4 and the metrics (as evaluate --calibrate)
              --force             replace an existing models/NAME
              --threads N         worker threads (default: all cores)
            """;

    static final int PROBE_PAIRS = 300;

    /** Written as a value in model.json where a person must fill in what the file cannot tell. */
    static final String TO_FILL = "TO FILL IN: ";

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_EMPTY))
            .build();

    private final ModelProperties store;
    private final ModelLoader loader;
    private final ModelRepository models;
    private final PreprocessingProbe probe;
    private final EvaluateJob evaluate;

    ImportJob(ModelProperties store, ModelLoader loader, ModelRepository models, PreprocessingProbe probe,
              EvaluateJob evaluate) {
        this.store = store;
        this.loader = loader;
        this.models = models;
        this.probe = probe;
        this.evaluate = evaluate;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(JobArgs args, PrintStream out) throws IOException {
        args.allow("model", "name", "loss", "color", "mean", "std", "layout", "output", "probe", "probe-pairs",
                "probe-count", "pairs", "calibrate", "force", "threads");
        Path source = Path.of(args.require("model"));
        String name = args.require("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("--name must be letters, digits, '.', '_' or '-' (a folder name), got '" + name + "'");
        }
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("--model " + source + " is not a file");
        }
        Path folder = store.dir().resolve(name).toAbsolutePath();
        if (Files.exists(folder) && !args.flag("force")) {
            throw new IllegalArgumentException(folder + " exists; choose another --name or add --force to replace it");
        }
        if (models.all().stream().anyMatch(m -> m.name().equals(name) && !m.directory().equals(folder))) {
            throw new IllegalArgumentException("a model named '" + name + "' is already in the store");
        }
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        ModelManifest manifest;
        try (var staged = StagedFolder.beside(folder)) {
            manifest = write(source, staged.path(), name, args, threads, out);
            LoadedModel loaded = loader.load(staged.path());
            try {
                if (args.flag("calibrate")) {
                    evaluate.calibrate(loaded, PairList.read(pairs(args), null), threads, Path.of("target", "import", name), out);
                }
            } finally {
                ModelLoader.closeQuietly(loaded.session());
            }
            staged.place();
        }
        var in = manifest.input();
        out.printf(Locale.ROOT, "import: wrote %s: input %s %s %s, %s, mean %s, std %s; output %s (%d-d)%s%n",
                folder, in.name(), in.shape(), in.layout(), in.color(), in.mean(), in.std(), manifest.output().name(),
                manifest.output().dim(), in.shape().get(0) < 0 ? "" : "; a fixed batch of 1: faces run one by one");
        out.println("import: done. Fill in the provenance (source, licence, url) in " + folder.resolve("model.json")
                + (args.flag("calibrate") ? "" : ", then calibrate: java -jar target/faceoff.jar evaluate --pairs PAIRS --models "
                + name + " --calibrate"));
        return 0;
    }

    /**
     * Opens the model, probes its pre-processing where the arguments do not give it, and writes it into
     * {@code folder} with its model.json (and probe.md); gives the manifest written.
     */
    private ModelManifest write(Path source, Path folder, String name, JobArgs args, int threads, PrintStream out)
            throws IOException {
        Color color = args.values().containsKey("color") ? parseColor(args.require("color")) : null;
        List<Double> mean = numbers(args, "mean");
        List<Double> std = numbers(args, "std");
        Path probeList = Path.of(args.get("probe-pairs", pairs(args).toString()));
        int probePairs = args.integer("probe-count", PROBE_PAIRS);
        PreprocessingProbe.Outcome outcome = null;
        ModelManifest draft;
        try (var opened = loader.open(source, name)) {
            String sha256 = ModelLoader.sha256(source);
            out.printf("import: %s (sha256 %s)%n", source, sha256);
            draft = draft(name, args, sha256, opened.signature(), out);
            if (args.flag("probe") || color == null || mean == null || std == null) {
                var results = probe.run(new LoadedModel(draft, opened.session(), opened.provider(), folder),
                        PairList.read(probeList, null), probePairs, threads, out);
                outcome = PreprocessingProbe.decide(results, color, mean, std);
                for (var r : outcome.results()) {
                    out.printf(Locale.ROOT, "import: probe %-24s d' %5.2f  accuracy %6.2f%%%s%n", r.candidate().label(),
                            r.dPrime(), 100 * r.accuracy(), r == outcome.chosen() ? "  <- chosen" : "");
                }
                if (outcome.warning() != null) {
                    out.println("import: WARNING: " + outcome.warning());
                }
                if (outcome.chosen() != null) {
                    var c = outcome.chosen().candidate();
                    color = c.color();
                    mean = mean != null ? mean : c.mean();
                    std = std != null ? std : c.std();
                }
            }
        }
        if (color == null || mean == null || std == null) {
            throw new IllegalArgumentException("give --color, --mean and --std, or let the probe find them");
        }
        var in = draft.input();
        ModelManifest manifest = draft.with(name, new ModelManifest.Input(in.name(), in.shape(), in.layout(), color, mean, std),
                outcome == null ? draft.notes() : notes(outcome, probePairs, probeList));
        Files.copy(source, folder.resolve(manifest.file()));
        Files.writeString(folder.resolve("model.json"), JSON.writeValueAsString(manifest) + "\n");
        if (outcome != null) {
            Files.writeString(folder.resolve("probe.md"), report(name, outcome, source));
        }
        return manifest;
    }

    /** The pair list to calibrate on (and, unless --probe-pairs says otherwise, to probe on). */
    private static Path pairs(JobArgs args) {
        return Path.of(args.get("pairs", defaultPairs().toString()));
    }

    /** The manifest the file itself tells: names, shapes, layout, embedding output; pre-processing still to find. */
    static ModelManifest draft(String name, JobArgs args, String sha256, Signature signature,
                               PrintStream out) {
        if (signature.inputs().size() != 1) {
            throw new IllegalArgumentException("the model has inputs " + signature.inputs().keySet()
                    + "; an embedder takes one image tensor");
        }
        var input = signature.inputs().entrySet().iterator().next();
        long[] shape = input.getValue();
        if (shape.length != 4) {
            throw new IllegalArgumentException("input '" + input.getKey() + "' has shape " + Arrays.toString(shape)
                    + "; an image input is 4-d (NCHW or NHWC)");
        }
        Layout layout = args.values().containsKey("layout") ? Layout.valueOf(args.require("layout").toUpperCase(Locale.ROOT))
                : layout(input.getKey(), shape);
        int h = (int) (layout == Layout.NCHW ? shape[2] : shape[1]);
        int w = (int) (layout == Layout.NCHW ? shape[3] : shape[2]);
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("input '" + input.getKey() + "' has a dynamic height or width "
                    + Arrays.toString(shape) + "; faceoff needs the size the model was trained at");
        }
        String outputName = args.values().containsKey("output") ? args.require("output") : embeddingOutput(signature);
        long[] outShape = signature.outputs().get(outputName);
        if (outShape == null) {
            throw new IllegalArgumentException("no output '" + outputName + "'; the model's outputs are " + signature.outputs().keySet());
        }
        int dim = (int) outShape[outShape.length - 1];
        out.printf("import: input %s %s (%s, %s batch), output %s %s%n", input.getKey(), Arrays.toString(shape), layout,
                shape[0] < 0 ? "dynamic" : "fixed " + shape[0], outputName, Arrays.toString(outShape));
        return new ModelManifest(name, 1, ModelManifest.Task.EMBEDDING, args.get("loss", "unknown"), Map.of(),
                TO_FILL + "architecture", "model.onnx", sha256,
                new ModelManifest.Input(input.getKey(), Arrays.stream(shape).boxed().toList(), layout, null, List.of(0.0), List.of(1.0)),
                List.of(new ModelManifest.Output(outputName, dim, List.of())), "arcface-112-5pt", null, null, false,
                Map.of(), null, Map.of(), Map.of(), null, Map.of(),
                new ModelManifest.Provenance(TO_FILL + "where the file comes from (imported from " + args.require("model") + ")",
                        TO_FILL + "its licence and the terms of its training data", TO_FILL + "a link"));
    }

    /** NCHW when axis 1 holds the channels (1 or 3), NHWC when axis 3 does; else the caller must say. */
    static Layout layout(String input, long[] shape) {
        boolean nchw = shape[1] == 1 || shape[1] == 3;
        boolean nhwc = shape[3] == 1 || shape[3] == 3;
        if (nchw == nhwc) {
            throw new IllegalArgumentException("cannot tell the layout of input '" + input + "' " + Arrays.toString(shape)
                    + "; give --layout NCHW or NHWC");
        }
        return nchw ? Layout.NCHW : Layout.NHWC;
    }

    /** The one output shaped [N, D]; with several, the caller names it. */
    static String embeddingOutput(Signature signature) {
        var candidates = signature.outputs().entrySet().stream().filter(e -> e.getValue().length == 2 && e.getValue()[1] > 1)
                .map(Map.Entry::getKey).toList();
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        throw new IllegalArgumentException("cannot tell the embedding among the outputs " + describe(signature.outputs())
                + "; give --output NAME");
    }

    static String notes(PreprocessingProbe.Outcome probe, int pairs, Path list) {
        var chosen = probe.chosen();
        return chosen == null ? null : String.format(Locale.ROOT, "pre-processing %s chosen by the import probe (d' %.2f, "
                + "next best %.2f, on %d pairs of %s); see probe.md", chosen.candidate().label(), chosen.dPrime(),
                probe.results().stream().filter(r -> r != chosen).findFirst().map(PreprocessingProbe.Result::dPrime).orElse(Double.NaN),
                pairs, list.getFileName());
    }

    /** probe.md: every candidate, the choice and any warning. */
    static String report(String name, PreprocessingProbe.Outcome probe, Path source) {
        var md = new StringBuilder("# Pre-processing probe of " + name + "\n\n")
                .append("Imported from `").append(source.getFileName()).append("` by `java -jar target/faceoff.jar import`. ")
                .append("Each row embeds the same faces with one pre-processing; d′ is the separation of same-person and ")
                .append("different-person cosines, accuracy the pairs' 10-fold accuracy. Best first.\n\n")
                .append("| colour | normalisation | mean | std | d′ | accuracy | same mean | different mean | chosen |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (var r : probe.results()) {
            var c = r.candidate();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.2f%% | %.3f | %.3f | %s |%n", c.color(),
                    c.normalisation(), rounded(c.mean()), rounded(c.std()), r.dPrime(), 100 * r.accuracy(), r.sameMean(),
                    r.differentMean(), r == probe.chosen() ? "✔" : ""));
        }
        if (probe.warning() != null) {
            md.append("\n**Warning:** ").append(probe.warning()).append('\n');
        }
        return md.toString();
    }

    private static List<Double> rounded(List<Double> values) {
        return values.stream().map(v -> Math.round(v * 1000) / 1000.0).toList();
    }

    static Path defaultPairs() {
        String shared = System.getenv().getOrDefault("FACEOFF_SHARED", "../shared");
        return Path.of(shared, "datasets", "lfw", "pairs.txt");
    }

    private static Color parseColor(String value) {
        try {
            Color c = Color.valueOf(value.toUpperCase(Locale.ROOT));
            if (c == Color.GRAY) {
                throw new IllegalArgumentException();
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--color must be RGB or BGR, got '" + value + "'");
        }
    }

    private static List<Double> numbers(JobArgs args, String key) {
        if (!args.values().containsKey(key)) {
            return null;
        }
        try {
            List<Double> values = Arrays.stream(args.require(key).split(",")).map(String::strip).map(Double::valueOf).toList();
            if (values.size() != 1 && values.size() != 3) {
                throw new NumberFormatException();
            }
            return values;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be one number or three, comma-separated, got '"
                    + args.get(key, "") + "'");
        }
    }

    private static String describe(Map<String, long[]> shapes) {
        var parts = new ArrayList<String>();
        shapes.forEach((k, v) -> parts.add(k + " " + Arrays.toString(v)));
        return parts.toString();
    }
}
