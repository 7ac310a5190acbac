package com.flashsale.sale;

import com.flashsale.Page;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The sales as the read model has them, behind the entities by well under a second: for the public list,
 * for each node's live view (which sales to follow) and for the scheduler (which sales to wake). The node
 * wires in {@code readmodel.SaleQueries}; tests may use a list in memory.
 */
public interface SaleCatalog {

  /** The API's {@code status} filter of the sale list. */
  enum Filter {
    UPCOMING, LIVE, ENDED;

    /** The filter a query parameter names ({@code upcoming}, {@code live}, {@code ended}), if any. */
    public static Optional<Filter> parse(String wire) {
      for (Filter filter : values()) {
        if (filter.name().toLowerCase(Locale.ROOT).equals(wire)) {
          return Optional.of(filter);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A sale as the scheduler sees it: when it starts and ends, and whether its entity has work left (open holds,
   * or a payment attempt whose outcome is not recorded).
   */
  record Scheduled(String saleId, Instant startsAt, Instant endsAt, boolean cancelled, boolean hasOpenWork) {}

  /** Bounds {@link #active} and {@link #toSchedule}: the sales one node follows and the scheduler wakes. */
  int MAX_ACTIVE = 10_000;

  /**
   * One page of sales by start time, their status as of {@code now}.
   *
   * @param filter null for every sale
   * @param after the last sale id of the previous page, or null for the first
   */
  CompletionStage<Page<SaleView>> list(Filter filter, Instant now, int limit, UUID after);

  /**
   * Every sale ending after {@code endedSince} or still holding units (at most {@link #MAX_ACTIVE}, earliest start
   * first), its status as of {@code now}, stamped with the sequence number of the last event the row shows.
   */
  CompletionStage<List<SaleUpdate>> active(Instant endedSince, Instant now);

  /** Every sale not cancelled that ends after {@code endedSince}, and every sale with work left (at most {@link #MAX_ACTIVE}). */
  CompletionStage<List<Scheduled>> toSchedule(Instant endedSince);
}
