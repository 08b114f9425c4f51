package dev.faceoff.gallery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers' {@code pgvector/pgvector:pg15} image (PostgreSQL 15 with pgvector, as the project's compose file
 * and Kubernetes StatefulSet run it), trust authentication, bound to a fixed loopback port so that a stop and a
 * start of the same container (the database down and back) keep its address. Needs a Docker engine.
 */
final class PostgresContainer implements TestPostgres {

    static final DockerImageName IMAGE = DockerImageName.parse("pgvector/pgvector:pg15");

    private final GenericContainer<?> container;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresContainer(GenericContainer<?> container, int port) {
        this.container = container;
        this.port = port;
    }

    static PostgresContainer start() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        GenericContainer<?> container = new GenericContainer<>(IMAGE)
                .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
                .withExposedPorts(5432)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 2));
        container.setPortBindings(List.of("127.0.0.1:" + port + ":5432"));
        container.start();
        return new PostgresContainer(container, port);
    }

    @Override
    public String createDatabase() throws SQLException {
        String name = "gallery" + databases.incrementAndGet();
        try (Connection c = PostgresServer.connectUrl(url("postgres")); var statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void stop() {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void restart() throws InterruptedException {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        // the image's entrypoint starts the server once more; bounded: 120 tries, 0.5 s apart
        for (int attempt = 0; ; attempt++) {
            try (Connection c = PostgresServer.connectUrl(url("postgres"))) {
                return;
            } catch (SQLException e) {
                if (attempt == 120) {
                    throw new IllegalStateException("the pgvector container did not accept connections after a restart", e);
                }
                Thread.sleep(500);
            }
        }
    }

    @Override
    public void close() {
        container.stop();
    }
}
