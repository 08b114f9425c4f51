package dev.faceoff.gallery;

import java.sql.SQLException;

/**
 * A PostgreSQL 15 with pgvector for the postgres store's tests: a cluster of this machine's PostgreSQL in a
 * temporary folder ({@link PostgresServer}, what CI runs), or Testcontainers' {@code pgvector/pgvector} image
 * where a Docker engine answers ({@link PostgresContainer}). Either way user {@code postgres}, no password.
 */
interface TestPostgres extends AutoCloseable {

    /** A new, empty database; its JDBC URL. */
    String createDatabase() throws SQLException;

    /** Stops the server, keeping its data and port. */
    void stop() throws Exception;

    /** Starts the stopped server again, on the same port with the same data; returns once it accepts connections. */
    void restart() throws Exception;
}
