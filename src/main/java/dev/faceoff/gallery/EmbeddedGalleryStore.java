package dev.faceoff.gallery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default gallery, needing nothing installed: H2 in a file under {@code faceoff.gallery.path} (schema by
 * Flyway, {@code db/migration/h2}) and an exact in-memory index, one {@link TemplateMatrix} per tenant and
 * model holding each subject's mean template, loaded from the database when the store opens and changed after
 * each committed write. Writes are
 * serialised (one writer: the database transaction and then the index); searches share the index's read lock.
 * One process per folder (H2 locks its file): the store of a single replica.
 */
final class EmbeddedGalleryStore extends JdbcGalleryStore {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedGalleryStore.class);

    private record Key(String tenant, String model) {
    }

    private final Map<Key, TemplateMatrix> matrices = new HashMap<>();
    private final ReentrantLock writer = new ReentrantLock();
    private final ReentrantReadWriteLock index = new ReentrantReadWriteLock();
    /**
     * Threads that share a search's coarse pass with the caller when a core is free (one fewer than the cores;
     * none on one core): at 100,000 subjects the pass takes about 5 ms on one core of the 2-core host
     * (docs/performance.md, "Gallery").
     */
    private final Optional<ExecutorService> scanHelper;

    private EmbeddedGalleryStore(HikariDataSource data, Optional<FaceCipher> cipher) {
        super(data, GalleryTables.Column.H2, cipher);
        int helpers = Runtime.getRuntime().availableProcessors() - 1;
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        this.scanHelper = helpers < 1 ? Optional.empty() : Optional.of(Executors.newFixedThreadPool(helpers, task -> {
            var thread = new Thread(task, "gallery-scan-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }));
    }

    @Override
    public void close() {
        scanHelper.ifPresent(ExecutorService::shutdownNow);
        super.close();
    }

    /** Opens (creating or migrating) the gallery in {@code folder} and loads its index. */
    static EmbeddedGalleryStore open(Path folder, Optional<FaceCipher> cipher) {
        Path absolute = folder.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("faceoff.gallery.path " + absolute + " cannot be created: " + e.getMessage(), e);
        }
        var config = new HikariConfig();
        config.setPoolName("gallery");
        config.setJdbcUrl(url(absolute));
        config.setUsername("faceoff");
        config.setPassword("");
        config.setMaximumPoolSize(4);
        var data = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(data).locations("classpath:db/migration/h2")
                    .javaMigrations(new MeanFill("3", GalleryTables.Column.H2)).load().migrate();
            var store = new EmbeddedGalleryStore(data, cipher);
            store.load();
            return store;
        } catch (RuntimeException e) {
            data.close();
            throw e;
        }
    }

    /** The H2 URL of the gallery in {@code folder} (tests read the database with it). */
    static String url(Path folder) {
        // closed with the pool, not by H2's own shutdown hook (which could run before the context closes);
        // WRITE_DELAY=0: each commit is written to the file before it returns (H2 keeps commits in memory for up to
        // its write delay otherwise, and a killed process lost them: 1 of 300 acknowledged faces kept, measured by
        // EmbeddedGalleryStoreTest). Written, not synced: a process killed loses nothing, a machine that loses
        // power may lose its last commits (docs/gallery.md, "Two stores")
        return "jdbc:h2:file:" + folder.toAbsolutePath().normalize().resolve("gallery")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    private void load() {
        long started = System.nanoTime();
        Map<String, Integer> counts = tables.meanCounts();
        Map<String, Integer> dimensions = tables.dimensions();
        tables.forEachMean((tenant, model, subjectId, mean) -> matrices
                .computeIfAbsent(new Key(tenant, model), k -> new TemplateMatrix(dimensions.get(model),
                        counts.getOrDefault(tenant + "\u0000" + model, 0)))
                .put(subjectId, mean.template(), mean.faces()));
        long subjects = matrices.values().stream().mapToLong(TemplateMatrix::rows).sum();
        long bytes = matrices.values().stream().mapToLong(TemplateMatrix::bytes).sum();
        log.info("gallery: embedded store {}, {} subject templates of {} tenant-models in the exact index ({} MiB), loaded in {} ms",
                data.getJdbcUrl(), subjects, matrices.size(), bytes >> 20, (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public boolean deleteSubject(String tenant, String subjectId) {
        writer.lock();
        try {
            boolean deleted = tables.deleteSubject(tenant, subjectId);
            if (deleted) {
                changeIndex(() -> matrices.forEach((key, matrix) -> {
                    if (key.tenant().equals(tenant)) {
                        matrix.remove(subjectId);
                    }
                }));
            }
            return deleted;
        } finally {
            writer.unlock();
        }
    }

    @Override
    public OptionalLong addFace(String tenant, String subjectId, double quality, Map<String, float[]> templates,
                                Optional<byte[]> alignedCrop, Runnable beforeCommit) {
        writer.lock();
        try {
            OptionalLong faceId = tables.addFace(tenant, subjectId, quality, templates, alignedCrop, beforeCommit);
            if (faceId.isPresent()) {
                reindex(tenant, subjectId);
            }
            return faceId;
        } finally {
            writer.unlock();
        }
    }

    @Override
    public boolean deleteFace(String tenant, long faceId) {
        writer.lock();
        try {
            Optional<GalleryTables.Owner> owner = tables.deleteFace(tenant, faceId);
            owner.ifPresent(o -> reindex(o.tenant(), o.subjectId()));
            return owner.isPresent();
        } finally {
            writer.unlock();
        }
    }

    @Override
    public boolean addTemplate(long faceId, String model, float[] template) {
        writer.lock();
        try {
            Optional<GalleryTables.Owner> owner = tables.addTemplate(faceId, model, template);
            owner.ifPresent(o -> reindex(o.tenant(), o.subjectId()));
            return owner.isPresent();
        } finally {
            writer.unlock();
        }
    }

    @Override
    public List<Match> search(String tenant, String model, float[] unitQuery, int k) {
        GalleryTables.checkName("tenant", tenant);
        GalleryTables.checkUnit(model, unitQuery);
        if (k < 1 || k > GalleryTables.MAX_PAGE) {
            throw GalleryTables.invalid("k must be 1 to " + GalleryTables.MAX_PAGE);
        }
        index.readLock().lock();
        try {
            TemplateMatrix matrix = matrices.get(new Key(tenant, model));
            if (matrix == null) {
                return List.of();
            }
            if (unitQuery.length != matrix.dimension()) {
                throw GalleryTables.invalid("a query of model " + model + " has " + unitQuery.length
                        + " values; the gallery's templates of that model have " + matrix.dimension());
            }
            return matrix.search(unitQuery, k, scanHelper);
        } finally {
            index.readLock().unlock();
        }
    }

    @Override
    public Optional<Match> closestOther(String tenant, String model, float[] unitQuery, String except) {
        return search(tenant, model, unitQuery, 2).stream().filter(m -> !m.subjectId().equals(except)).findFirst();
    }

    @Override
    public Counts count(String tenant, String model) {
        GalleryTables.checkName("tenant", tenant);
        GalleryTables.checkModel(model);
        index.readLock().lock();
        try {
            TemplateMatrix matrix = matrices.get(new Key(tenant, model));
            return matrix == null ? new Counts(0, 0) : new Counts(matrix.rows(), matrix.faces());
        } finally {
            index.readLock().unlock();
        }
    }

    @Override
    public long templates(String model) {
        GalleryTables.checkModel(model);
        index.readLock().lock();
        try {
            return matrices.entrySet().stream().filter(e -> e.getKey().model().equals(model))
                    .mapToLong(e -> e.getValue().faces()).sum();
        } finally {
            index.readLock().unlock();
        }
    }

    /**
     * The subject's rows made as its committed means are (only under the writer lock): each model's mean put, the
     * subject removed from the tenant's other matrices.
     */
    private void reindex(String tenant, String subjectId) {
        Map<String, GalleryStore.Mean> means = tables.means(tenant, subjectId);
        changeIndex(() -> {
            matrices.forEach((key, matrix) -> {
                if (key.tenant().equals(tenant) && !means.containsKey(key.model())) {
                    matrix.remove(subjectId);
                }
            });
            means.forEach((model, mean) -> matrices
                    .computeIfAbsent(new Key(tenant, model), k -> new TemplateMatrix(mean.template().length, 0))
                    .put(subjectId, mean.template(), mean.faces()));
        });
    }

    private void changeIndex(Runnable change) {
        index.writeLock().lock();
        try {
            change.run();
        } finally {
            index.writeLock().unlock();
        }
    }
}
