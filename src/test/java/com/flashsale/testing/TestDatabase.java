package com.flashsale.testing;

import com.flashsale.storage.Database;
import com.flashsale.storage.EmbeddedPostgres;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for tests: one embedded server per test JVM (or the server of FLASHSALE_TEST_DB_URL,
 * e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}, with FLASHSALE_TEST_DB_USER/_PASSWORD), and a
 * fresh database on it for every caller, so test classes never see each other's data.
 */
public final class TestDatabase {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres embedded;

  private TestDatabase() {}

  public static String user() {
    return env("FLASHSALE_TEST_DB_USER", EmbeddedPostgres.USER);
  }

  public static String password() {
    return env("FLASHSALE_TEST_DB_PASSWORD", EmbeddedPostgres.PASSWORD);
  }

  /** A pool on a new database with the node's schema, for tests of the classes that own tables. */
  public static Database migrated(String purpose) {
    Database database = Database.open(ConfigFactory.parseMap(Map.of(
        "flashsale.db.url", fresh(purpose),
        "flashsale.db.user", user(),
        "flashsale.db.password", password(),
        "flashsale.db.pool-size", 2)));
    database.migrate();
    return database;
  }

  /** The JDBC URL of a new, empty database. */
  public static synchronized String fresh(String purpose) {
    String name = purpose.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + ProcessHandle.current().pid() + "_"
        + COUNTER.incrementAndGet();
    try {
      String external = System.getenv("FLASHSALE_TEST_DB_URL");
      if (external != null && !external.isBlank()) {
        return EmbeddedPostgres.createDatabase(external, user(), password(), name);
      }
      if (embedded == null) {
        embedded = EmbeddedPostgres.start(null, 0);
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stopEmbedded));
      }
      return embedded.createDatabase(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create test database " + name, e);
    }
  }

  private static void stopEmbedded() {
    try {
      embedded.close();
    } catch (IOException ignored) {
      // the JVM is exiting anyway
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
