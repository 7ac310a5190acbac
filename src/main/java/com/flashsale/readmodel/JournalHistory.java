package com.flashsale.readmodel;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.flashsale.Page;
import com.flashsale.sale.KnownSales;
import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import com.flashsale.sale.SaleHistory;
import com.flashsale.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * A sale's audit trail, read from the event journal by persistence id (the read journal's current events), and
 * whether a sale exists at all: its journal holds an event of it.
 */
public final class JournalHistory implements SaleHistory, KnownSales.Journal {

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final Database db;

  public JournalHistory(ActorSystem<?> system, Database db) {
    this.system = system;
    this.db = db;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /**
   * One probe of the journal's primary key, reading no event: a sale's first event is written before its creator is
   * answered and events are never deleted, so this is true from the moment a sale's creation was acknowledged.
   */
  @Override
  public CompletionStage<Boolean> holds(UUID saleId) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT EXISTS (SELECT 1 FROM event_journal WHERE persistence_id = ?)")) {
        st.setString(1, Sale.persistenceId(saleId));
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    });
  }

  @Override
  public CompletionStage<Page<Entry>> of(UUID saleId, long after, int limit) {
    return journal.currentEventsByPersistenceId(Sale.persistenceId(saleId), after + 1, Long.MAX_VALUE)
        .take(limit + 1L)
        .map(envelope -> new Entry(envelope.sequenceNr(), Instant.ofEpochMilli(envelope.timestamp()),
            envelope.event().getClass().getSimpleName(), (SaleEvent) envelope.event()))
        .runWith(Sink.seq(), system)
        .thenApply(entries -> page(entries, limit));
  }

  private static Page<Entry> page(List<Entry> entries, int limit) {
    if (entries.size() <= limit) {
      return new Page<>(List.copyOf(entries), null);
    }
    List<Entry> items = List.copyOf(entries.subList(0, limit));
    return new Page<>(items, Long.toString(items.get(limit - 1).sequenceNr()));
  }
}
