package dev.faceoff.gallery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.faceoff.SharedData;

/**
 * A real PostgreSQL 15 with pgvector for tests: a cluster made by {@code initdb} in a temporary folder and
 * started by {@code pg_ctl} on a free loopback port (as the {@code postgres} user when the tests run as root),
 * durability off, stopped and deleted by {@link #close()}. Without PostgreSQL 15 or pgvector the test is
 * skipped with a message, or fails when {@code CI=true} ({@code bin/setup --test} installs both).
 */
public final class PostgresServer implements TestPostgres {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final Path PGVECTOR = Path.of("/usr/share/postgresql/15/extension/vector.control");

    private final Path folder;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path folder, int port) {
        this.folder = folder;
        this.port = port;
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        SharedData.require(BIN.resolve("initdb"), "PostgreSQL 15 (apt-get install postgresql, or bin/setup --test)");
        SharedData.require(PGVECTOR, "pgvector for PostgreSQL 15 (bin/setup --test builds it from ../shared/third-party)");
        Path folder = Files.createTempDirectory("faceoff-postgres");
        if (root()) {
            var postgres = folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(folder, postgres);
        }
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var server = new PostgresServer(folder, port);
        try {
            server.run(BIN.resolve("initdb").toString(), "-D", folder.resolve("data").toString(), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions");
            server.startCluster();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startCluster() throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(), "-l",
                folder.resolve("log").toString(), "-w", "-t", "30", "-o",
                "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c synchronous_commit=off -c full_page_writes=off", "start");
    }

    /** Stops the server (fast shutdown: open connections are closed), keeping its data; {@link #restart()} brings it back. */
    public void stop() throws IOException, InterruptedException {
        run(BIN.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(), "-m", "fast", "-w", "stop");
    }

    /** Starts the stopped server again, on the same port, with its data. */
    public void restart() throws IOException, InterruptedException {
        startCluster();
    }

    /** A new, empty database of this server; its JDBC URL. */
    public String createDatabase() throws SQLException {
        String name = "gallery" + databases.incrementAndGet();
        try (Connection c = connect("postgres"); var statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), "postgres", "");
    }

    public static Connection connectUrl(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(folder.resolve("data/postmaster.pid"))) {
                run(BIN.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            }
        } finally {
            try (var paths = Files.walk(folder)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        if (root()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).directory(folder.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            String log = Files.exists(folder.resolve("log")) ? Files.readString(folder.resolve("log")) : "";
            throw new IllegalStateException(String.join(" ", line) + " failed:\n"
                    + new String(output, StandardCharsets.UTF_8) + log);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
