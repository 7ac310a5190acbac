package com.flashsale.storage;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The plain-table side of PostgreSQL (users, products, the sale catalogue): a HikariCP pool whose
 * calls run on the blocking dispatcher, never on request or actor threads. The journal has its own
 * pool (akka-persistence-jdbc).
 */
public final class Database implements AutoCloseable {

  /** A unit of JDBC work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final HikariDataSource dataSource;
  private volatile Executor blocking = Runnable::run;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  public static Database open(Config config) {
    Config db = config.getConfig("flashsale.db");
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setMaximumPoolSize(db.getInt("pool-size"));
    hikari.setPoolName("flashsale");
    hikari.setConnectionTimeout(5_000);
    hikari.setInitializationFailTimeout(-1);
    return new Database(new HikariDataSource(hikari));
  }

  /**
   * Creates or upgrades the schema. Flyway holds a PostgreSQL advisory lock while it migrates, so
   * several nodes starting at once run each migration exactly once.
   */
  public void migrate() {
    Flyway.configure().loggers("slf4j").dataSource(dataSource).locations("classpath:db/migration").load().migrate();
  }

  /** Runs JDBC work from here on on the given (blocking) executor. */
  public Database runningOn(Executor executor) {
    this.blocking = executor;
    return this;
  }

  public <T> CompletionStage<T> run(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = dataSource.getConnection()) {
        return work.run(connection);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
