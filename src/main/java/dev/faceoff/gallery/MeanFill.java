package dev.faceoff.gallery;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration after the one that creates {@code gallery_mean}: the mean template of every subject and model of a
 * gallery written before means were kept, computed in Java ({@link GalleryStore#mean}) as every later write computes
 * it. Flyway runs it once, in its transaction; an empty gallery has nothing to fill.
 */
final class MeanFill implements JavaMigration {

    private static final Logger log = LoggerFactory.getLogger(MeanFill.class);

    private final MigrationVersion version;
    private final GalleryTables.Column column;

    /** @param version the vendor's version of this migration (its SQL migrations are numbered apart) */
    MeanFill(String version, GalleryTables.Column column) {
        this.version = MigrationVersion.fromVersion(version);
        this.column = column;
    }

    @Override
    public MigrationVersion getVersion() {
        return version;
    }

    @Override
    public String getDescription() {
        return "gallery mean fill";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        int written = GalleryTables.fillMeans(context.getConnection(), column);
        log.info("gallery: {} subject means written from their templates", written);
    }
}
