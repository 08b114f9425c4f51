package dev.faceoff.gallery;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Benchmark tool (not a test) of bench/gallery.py: writes a gallery of one model straight into a store, for
 * sizes that enrolment over HTTP would take hours to reach. One face and one template per row of
 * {@code VECTORS} (little-endian float32, {@code DIMENSION} a row), its subject the row's line of
 * {@code SUBJECTS}, tenant {@code default}, face ids 1..ROWS:
 * <pre>
 * java -cp ... dev.faceoff.gallery.GalleryFill embedded FOLDER   MODEL DIMENSION VECTORS SUBJECTS ROWS
 * java -cp ... dev.faceoff.gallery.GalleryFill postgres JDBC_URL MODEL DIMENSION VECTORS SUBJECTS ROWS
 * </pre>
 * The schema comes from the store itself (its Flyway migrations, by opening it). Embedded: batched inserts
 * into the H2 file; postgres (user postgres): COPY (the templates in binary). Then each subject's mean template is
 * written as the migration for a gallery from before means were kept writes it ({@link GalleryTables#fillMeans})
 * and, postgres, the store opened once more makes the model's HNSW index over them, as the service does; prints
 * how long that took. The store must be empty.
 */
public final class GalleryFill {

    private static final String TENANT = "default";

    private GalleryFill() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: GalleryFill embedded|postgres FOLDER|JDBC_URL MODEL DIMENSION VECTORS SUBJECTS ROWS");
            System.exit(2);
        }
        String store = args[0];
        String location = args[1];
        String model = args[2];
        int dimension = Integer.parseInt(args[3]);
        Path vectors = Path.of(args[4]);
        List<String> subjects = Files.readAllLines(Path.of(args[5]));
        int rows = Integer.parseInt(args[6]);
        if (subjects.size() < rows || Files.size(vectors) < (long) rows * dimension * Float.BYTES) {
            throw new IllegalArgumentException("fewer than " + rows + " rows in " + vectors + " or " + args[5]);
        }
        subjects = subjects.subList(0, rows);
        long started = System.nanoTime();
        switch (store) {
            case "embedded" -> embedded(Path.of(location), model, dimension, vectors, subjects);
            case "postgres" -> postgres(location, model, dimension, vectors, subjects);
            default -> throw new IllegalArgumentException("store: embedded or postgres, not " + store);
        }
        System.out.printf(Locale.ROOT, "fill: %,d templates of %s into the %s store in %.1f s%n", rows, model, store,
                (System.nanoTime() - started) / 1e9);
    }

    private static void embedded(Path folder, String model, int dimension, Path vectors, List<String> subjects)
            throws IOException, SQLException {
        EmbeddedGalleryStore.open(folder, Optional.empty()).close();   // the schema
        try (Connection c = DriverManager.getConnection(EmbeddedGalleryStore.url(folder), "faceoff", "");
             InputStream in = new java.io.BufferedInputStream(Files.newInputStream(vectors), 1 << 20)) {
            c.setAutoCommit(false);
            header(c, model, dimension, subjects);
            var now = OffsetDateTime.now();
            try (var face = c.prepareStatement("INSERT INTO gallery_face (face_id, tenant, subject_id, quality, crop, created_at) "
                    + "VALUES (?, ?, ?, 1.0, NULL, ?)");
                 var template = c.prepareStatement("INSERT INTO gallery_template (face_id, model, tenant, subject_id, embedding) "
                         + "VALUES (?, ?, ?, ?, ?)")) {
                byte[] row = new byte[dimension * Float.BYTES];   // the file's little-endian floats: H2's column as is
                for (int r = 0; r < subjects.size(); r++) {
                    readRow(in, row);
                    face.setLong(1, r + 1);
                    face.setString(2, TENANT);
                    face.setString(3, subjects.get(r));
                    face.setObject(4, now);
                    face.addBatch();
                    template.setLong(1, r + 1);
                    template.setString(2, model);
                    template.setString(3, TENANT);
                    template.setString(4, subjects.get(r));
                    template.setBytes(5, row.clone());
                    template.addBatch();
                    if ((r + 1) % 1000 == 0 || r + 1 == subjects.size()) {
                        face.executeBatch();
                        template.executeBatch();
                        c.commit();
                    }
                }
            }
            try (var s = c.createStatement()) {
                s.execute("ALTER TABLE gallery_face ALTER COLUMN face_id RESTART WITH " + (subjects.size() + 1));
            }
            c.commit();
            long started = System.nanoTime();
            GalleryTables.fillMeans(c, GalleryTables.Column.H2);
            c.commit();
            System.out.printf(Locale.ROOT, "fill: subject means written in %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
    }

    private static void postgres(String url, String model, int dimension, Path vectors, List<String> subjects)
            throws IOException, SQLException {
        var properties = new GalleryProperties.Postgres(url, "postgres", "", 200, 2);
        PostgresGalleryStore.open(properties, Optional.empty()).close();   // the schema
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             InputStream in = new java.io.BufferedInputStream(Files.newInputStream(vectors), 1 << 20)) {
            c.setAutoCommit(false);
            header(c, model, dimension, subjects);
            try (var s = c.createStatement()) {
                // the counts' trigger looks for each added subject's other templates: made once after the COPY instead
                s.execute("ALTER TABLE gallery_template DISABLE TRIGGER gallery_template_added");
            }
            var copy = new CopyManager(c.unwrap(BaseConnection.class));
            String now = OffsetDateTime.now().toString();
            var faces = new StringBuilder();
            for (int r = 0; r < subjects.size(); r++) {
                faces.append(r + 1).append('\t').append(TENANT).append('\t').append(subjects.get(r)).append("\t1.0\t\\N\t")
                        .append(now).append('\n');
            }
            copy.copyIn("COPY gallery_face (face_id, tenant, subject_id, quality, crop, created_at) FROM STDIN",
                    new java.io.ByteArrayInputStream(faces.toString().getBytes(StandardCharsets.UTF_8)));
            faces.setLength(0);
            var templates = copy.copyIn("COPY gallery_template (face_id, model, tenant, subject_id, embedding) FROM STDIN "
                    + "WITH (FORMAT binary)");
            var buffer = new ByteArrayOutputStream(1 << 20);
            var out = new DataOutputStream(buffer);   // big-endian: COPY's binary format
            out.write("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
            out.writeInt(0);
            out.writeInt(0);
            byte[] row = new byte[dimension * Float.BYTES];
            var floats = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int r = 0; r < subjects.size(); r++) {
                readRow(in, row);
                out.writeShort(5);
                out.writeInt(8);
                out.writeLong(r + 1);
                text(out, model);
                text(out, TENANT);
                text(out, subjects.get(r));
                out.writeInt(4 + dimension * Float.BYTES);   // pgvector's binary form: dim, unused, floats
                out.writeShort(dimension);
                out.writeShort(0);
                for (int i = 0; i < dimension; i++) {
                    out.writeFloat(floats.get(i));
                }
                if (buffer.size() > (1 << 20)) {
                    templates.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
            }
            out.writeShort(-1);
            templates.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            templates.endCopy();
            try (var s = c.createStatement()) {
                s.execute("SELECT setval(pg_get_serial_sequence('gallery_face', 'face_id'), " + subjects.size() + ")");
                s.execute("INSERT INTO gallery_count (tenant, model, subjects, templates) SELECT tenant, model, "
                        + "COUNT(DISTINCT subject_id), COUNT(*) FROM gallery_template GROUP BY tenant, model "
                        + "ON CONFLICT (tenant, model) DO UPDATE SET subjects = EXCLUDED.subjects, templates = EXCLUDED.templates");
                s.execute("ALTER TABLE gallery_template ENABLE TRIGGER gallery_template_added");
            }
            c.commit();
            try (var s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("VACUUM ANALYZE gallery_template");
            }
        }
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            GalleryTables.fillMeans(c, GalleryTables.Column.POSTGRES);
            c.commit();
        }
        // the HNSW index, as the service makes it; its build outlasts the store's 10 s socket timeout (48 s for
        // 20,000 templates at load 15), which the URL's own parameter lifts for this one call
        var building = new GalleryProperties.Postgres(url + (url.contains("?") ? "&" : "?") + "socketTimeout=0",
                properties.user(), properties.password(), properties.efSearch(), properties.poolSize());
        PostgresGalleryStore.open(building, Optional.empty()).close();
        System.out.printf(Locale.ROOT, "fill: subject means of %,d templates written and their HNSW index made in %.1f s%n",
                subjects.size(), (System.nanoTime() - started) / 1e9);
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); var s = c.createStatement()) {
            s.execute("VACUUM ANALYZE gallery_mean");
        }
    }

    /** The model, and every subject (first seen order). */
    private static void header(Connection c, String model, int dimension, List<String> subjects) throws SQLException {
        var now = OffsetDateTime.now();
        try (var m = c.prepareStatement("INSERT INTO gallery_model (model, dimension) VALUES (?, ?)");
             var s = c.prepareStatement("INSERT INTO gallery_subject (tenant, subject_id, metadata, created_at, updated_at) "
                     + "VALUES (?, ?, NULL, ?, ?)")) {
            m.setString(1, model);
            m.setInt(2, dimension);
            m.executeUpdate();
            int n = 0;
            for (String subject : new LinkedHashSet<>(subjects)) {
                s.setString(1, TENANT);
                s.setString(2, subject);
                s.setObject(3, now);
                s.setObject(4, now);
                s.addBatch();
                if (++n % 1000 == 0) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
        }
    }

    private static void readRow(InputStream in, byte[] row) throws IOException {
        new DataInputStream(in).readFully(row);
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
