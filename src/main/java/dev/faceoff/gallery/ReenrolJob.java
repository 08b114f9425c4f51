package dev.faceoff.gallery;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.faceoff.alignment.AlignedFace;
import dev.faceoff.embedding.EmbeddingModel;
import dev.faceoff.jobs.Job;
import dev.faceoff.jobs.JobArgs;
import dev.faceoff.model.LoadedModel;
import dev.faceoff.model.ModelRepository;

/**
 * {@code reenrol}: gives every gallery face that has no template for an embedding model one, embedded from the
 * face's stored aligned crop exactly as serving embeds (the model's pre-processing and test-time flip). Pages
 * through {@link GalleryStore#facesWithout} in face-id order, so a rerun (after an interruption, or after faces
 * were enrolled meanwhile) sees only the faces still missing the template. Needs the crops: with
 * {@code faceoff.gallery.keep-faces} off nothing can be done, and a face stored without a crop is counted and
 * left (its subject must be enrolled again from photos). Never prints a face or an embedding.
 */
@Component("reenrol")
final class ReenrolJob implements Job {

    static final String USAGE = """
            usage: java -jar target/faceoff.jar reenrol --model NAME [--batch N]
              --model NAME      a loaded embedding model: every stored face without its template gets one
              --batch N         faces read and embedded at once (default 32, 1 to 1000)
              --faceoff.KEY=V   any configuration key: the gallery is the service's (faceoff.gallery.*)
            """;

    /** What the job was asked to do. */
    record Settings(String model, int batch) {
    }

    /** What a run came to: templates written, faces left without a usable crop, faces deleted meanwhile. */
    record Tally(long written, long withoutCrop, long gone) {
    }

    static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
    private static final int CROP_BYTES = AlignedFace.SIZE * AlignedFace.SIZE * 3;

    private final GalleryProperties properties;
    private final Optional<GalleryStore> served;
    private final ModelRepository models;
    private final EmbeddingModel embedding;

    /** @param served the context's store when the gallery is enabled; else the job opens the configured one */
    ReenrolJob(GalleryProperties properties, Optional<GalleryStore> served, ModelRepository models,
               EmbeddingModel embedding) {
        this.properties = properties;
        this.served = served;
        this.models = models;
        this.embedding = embedding;
    }

    @Override
    public String usage() {
        return USAGE;
    }

    static Settings settings(JobArgs args) {
        args.allow("model", "batch");
        int batch;
        try {
            batch = args.integer("batch", 32);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--batch must be a whole number, not '" + args.get("batch", "") + "'");
        }
        if (batch < 1 || batch > GalleryTables.MAX_PAGE) {
            throw new IllegalArgumentException("--batch must be 1 to " + GalleryTables.MAX_PAGE);
        }
        return new Settings(args.require("model"), batch);
    }

    /** Why the gallery's faces cannot be embedded again, if they cannot. */
    static Optional<String> cannot(GalleryProperties properties) {
        if (!properties.keepFaces() || properties.faceKey() == null || properties.faceKey().isBlank()) {
            return Optional.of("the gallery keeps no faces (faceoff.gallery.keep-faces is off or has no face-key): "
                    + "there is nothing to embed again; the subjects must be enrolled again from photos");
        }
        return Optional.empty();
    }

    @Override
    public int run(JobArgs args, PrintStream out) {
        Settings settings = settings(args);
        Optional<String> cannot = cannot(properties);
        if (cannot.isPresent()) {
            out.println("reenrol: cannot: " + cannot.get());
            return 1;
        }
        Optional<LoadedModel> model = models.embedding(settings.model());
        if (model.isEmpty()) {
            out.println("reenrol: '" + settings.model() + "' is not a loaded embedding model; loaded: "
                    + models.embeddings().stream().map(LoadedModel::name).toList());
            return 1;
        }
        try {
            Tally tally;
            if (served.isPresent()) {
                tally = reenrol(served.get(), model.get(), settings.batch(), out);
            } else {
                try (GalleryStore store = GalleryConfiguration.open(properties)) {
                    tally = reenrol(store, model.get(), settings.batch(), out);
                }
            }
            if (tally.withoutCrop() > 0) {
                out.printf(Locale.ROOT, "reenrol: %d faces have no stored crop (enrolled while faces were not kept): "
                        + "their subjects must be enrolled again from photos%n", tally.withoutCrop());
                return 1;
            }
            return 0;
        } catch (IllegalStateException e) {   // a crop that does not open with the key, a store that cannot open
            out.println("reenrol: failed: " + e.getMessage());
            return 1;
        }
    }

    /** Embeds every face of {@code store} without a template of {@code model}, {@code batch} at a time. */
    Tally reenrol(GalleryStore store, LoadedModel model, int batch, PrintStream out) {
        String name = model.name();
        long total = store.countFacesWithout(name);
        out.printf(Locale.ROOT, "reenrol: %d faces without a template of %s (embedded as served: test-time flip %s)%n",
                total, name, model.manifest().testTimeFlip() ? "on" : "off");
        long started = System.nanoTime();
        long printed = started;
        long written = 0;
        long withoutCrop = 0;
        long gone = 0;
        long after = 0;
        for (List<GalleryStore.StoredFace> page = store.facesWithout(name, after, batch); !page.isEmpty();
             page = store.facesWithout(name, after, batch)) {
            var ids = new ArrayList<Long>(page.size());
            var crops = new ArrayList<AlignedFace>(page.size());
            for (GalleryStore.StoredFace face : page) {
                Optional<byte[]> crop = face.crop().filter(c -> c.length == CROP_BYTES);
                if (crop.isEmpty()) {
                    withoutCrop++;
                } else {
                    ids.add(face.faceId());
                    crops.add(new AlignedFace(crop.get(), AlignedFace.SIZE));
                }
            }
            after = page.get(page.size() - 1).faceId();
            List<float[]> templates = crops.isEmpty() ? List.of() : embedding.embed(model, crops);
            for (int i = 0; i < templates.size(); i++) {
                if (store.addTemplate(ids.get(i), name, templates.get(i))) {
                    written++;
                } else {
                    gone++;   // deleted since it was listed
                }
            }
            long now = System.nanoTime();
            if (now - printed >= PROGRESS_EVERY_NANOS) {
                out.println(progress(written + withoutCrop + gone, total, now - started));
                printed = now;
            }
        }
        out.println(progress(written + withoutCrop + gone, total, System.nanoTime() - started));
        out.printf(Locale.ROOT, "reenrol: %d templates of %s written, %d faces without a stored crop, %d deleted meanwhile%n",
                written, name, withoutCrop, gone);
        return new Tally(written, withoutCrop, gone);
    }

    /** {@code reenrol: 640/1200 faces (53%), 21.3 faces/s, ETA 26 s}. */
    static String progress(long done, long total, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        long left = Math.max(0, total - done);
        String eta = rate > 0 && left > 0 ? String.format(Locale.ROOT, ", ETA %.0f s", left / rate) : "";
        return String.format(Locale.ROOT, "reenrol: %d/%d faces (%.0f%%), %.1f faces/s%s", done, total,
                total == 0 ? 100.0 : 100.0 * Math.min(done, total) / total, rate, eta);
    }
}
