package com.flashsale.sale;

import com.flashsale.Page;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * A sale's events as its journal holds them, for the operators' audit trail: every reservation, payment
 * step, cancellation, expiry and admin change, in the order the sale decided them. The node wires in
 * {@code readmodel.JournalHistory}.
 */
public interface SaleHistory {

  /** One event: its number in the sale's journal, when it was written, its type and its fields. */
  record Entry(long sequenceNr, Instant writtenAt, String type, SaleEvent event) {}

  /**
   * Up to {@code limit} events of the sale after number {@code after} (0: from the first); the page's cursor
   * is its last event's number. A sale with no events has an empty first page.
   */
  CompletionStage<Page<Entry>> of(UUID saleId, long after, int limit);
}
