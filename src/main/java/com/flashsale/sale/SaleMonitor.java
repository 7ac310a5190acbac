package com.flashsale.sale;

/**
 * What the sale entities of a node report to its meters (implemented by the node's metrics). Called on the
 * entities' threads: implementations must be thread-safe and cheap.
 */
public interface SaleMonitor {

  /** Reports nothing (tests). */
  SaleMonitor NONE = new SaleMonitor() {};

  /** An entity restarts from the journal after a journal failure (a write, or its recovery). */
  default void entityRestarted() {}

  /** A journal write failed; whoever waited for it was answered 503. */
  default void journalWriteFailed() {}

  /** How many payment attempts of sale {@code saleId} hosted here are in doubt now (0 when it stops). */
  default void paymentsInDoubt(String saleId, int count) {}

  /** The entity began settling a payment attempt in doubt (looking it up at the gateway). */
  default void settlementStarted() {}

  /** A payment attempt in doubt was settled: {@code confirmed}, {@code refunded} or {@code nothing-charged}. */
  default void settled(String outcome) {}

  /** A gateway call made to settle an attempt failed (it is tried again later). */
  default void settlementFailed() {}
}
