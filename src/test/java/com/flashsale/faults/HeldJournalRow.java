package com.flashsale.faults;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A journal row written in a transaction that is still open (see {@link FaultCluster#holdJournalRowOpen}): its
 * {@code ordering} is taken, but no reader sees it until {@link #commit()}. Closing without committing rolls it back.
 */
public final class HeldJournalRow implements AutoCloseable {

  private final Connection connection;
  private final long ordering;
  private final long openedAtNanos = System.nanoTime();
  private boolean committed;

  HeldJournalRow(Connection connection, long ordering) {
    this.connection = connection;
    this.ordering = ordering;
  }

  /** The row's {@code ordering} (and its event_tag row's {@code event_id}). */
  public long ordering() {
    return ordering;
  }

  /** How long the transaction has been open. */
  public Duration heldFor() {
    return Duration.ofNanos(System.nanoTime() - openedAtNanos);
  }

  public void commit() throws SQLException {
    connection.commit();
    committed = true;
  }

  @Override
  public void close() throws SQLException {
    try {
      if (!committed) {
        connection.rollback();
      }
    } finally {
      connection.close();
    }
  }
}
