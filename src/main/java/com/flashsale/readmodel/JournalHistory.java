package com.flashsale.readmodel;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.flashsale.Page;
import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import com.flashsale.sale.SaleHistory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** A sale's audit trail, read from the event journal by persistence id (the read journal's current events). */
public final class JournalHistory implements SaleHistory {

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public JournalHistory(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
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
