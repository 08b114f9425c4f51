package dev.faceoff.subjects;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.faceoff.gallery.GalleryProperties;
import dev.faceoff.gallery.GalleryStore;
import dev.faceoff.system.FaceoffMetrics;

/**
 * /actuator/health "gallery" and the gauge {@code faceoff_gallery_store_up}: whether the gallery's store answered its
 * last check ({@code SELECT 1}), made every {@link #EVERY_SECONDS} s off the request path, so neither a scrape nor a
 * health request waits on an unreachable database. The store kind, the time and the error are details (admin only).
 * The same check counts each gallery model's templates for {@code faceoff_gallery_faces{model}}: a scrape reads the
 * last count, and keeps it while the store is down.
 */
@Component("gallery")
@ConditionalOnBooleanProperty(name = "faceoff.gallery.enabled", matchIfMissing = true)
final class GalleryHealthIndicator implements HealthIndicator {

    static final int EVERY_SECONDS = 10;

    private final GalleryStore store;
    private final String kind;
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "gallery-health");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> models;
    private final Map<String, AtomicLong> faces = new ConcurrentHashMap<>();
    private volatile Check last;

    private record Check(boolean up, Instant at, String error) {
    }

    GalleryHealthIndicator(GalleryStore store, GalleryProperties properties, SubjectsService subjects,
                           FaceoffMetrics metrics) {
        this.store = store;
        this.kind = properties.store().name().toLowerCase(Locale.ROOT);
        this.models = subjects.galleryModels();
        for (String model : models) {
            AtomicLong count = faces.computeIfAbsent(model, m -> new AtomicLong());
            metrics.galleryFaces(model, count::get);
        }
        check();
        metrics.galleryStoreUp(() -> last.up() ? 1 : 0);
        checks.scheduleWithFixedDelay(this::check, EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            store.check();
            for (String model : models) {
                faces.get(model).set(store.templates(model));
            }
            last = new Check(true, Instant.now(), null);
        } catch (RuntimeException e) {
            last = new Check(false, Instant.now(), e.getMessage());   // store_unavailable names the SQLState only
        }
    }

    @Override
    public Health health() {
        Check check = last;
        var health = (check.up() ? Health.up() : Health.down()).withDetail("store", kind)
                .withDetail("checkedAt", check.at().toString());
        return check.error() == null ? health.build() : health.withDetail("error", check.error()).build();
    }

    @PreDestroy
    void stop() {
        checks.shutdownNow();
    }
}
