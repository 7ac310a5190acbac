package com.flashsale.storage;

import akka.japi.function.Function;
import akka.projection.jdbc.JdbcSession;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A projection's transaction on one pooled connection: the handler's writes and the projection's
 * offset are committed together, which is what makes the projection exactly-once.
 */
public final class PooledJdbcSession implements JdbcSession {

  private final Connection connection;

  public PooledJdbcSession(DataSource dataSource) {
    try {
      this.connection = dataSource.getConnection();
      this.connection.setAutoCommit(false);
    } catch (SQLException e) {
      throw new IllegalStateException("No database connection for the projection", e);
    }
  }

  @Override
  public <Result> Result withConnection(Function<Connection, Result> work) throws Exception {
    return work.apply(connection);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
