package com.flashsale.sale;

import com.flashsale.Page;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The read model's sales as a map, for the actors that read them ({@link SaleScheduler}, {@link LiveView}). */
final class InMemorySaleCatalog implements SaleCatalog {

  private final Map<String, SaleUpdate> rows = new ConcurrentHashMap<>();
  private final Set<String> paymentsPending = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();

  /** Writes a sale's row as the projection would, at the entity's sequence number {@code version}. */
  void put(SaleView sale, long version) {
    rows.put(sale.id(), new SaleUpdate(sale, version));
  }

  /** A payment attempt of the sale is in doubt, as an order row with payment status PENDING shows. */
  void paymentPending(String saleId) {
    paymentsPending.add(saleId);
  }

  /** Moves a sale's start, as an admin's change reaching the read model would (one event later). */
  void move(String saleId, Instant startsAt) {
    rows.computeIfPresent(saleId, (id, row) -> {
      SaleView s = row.sale();
      return new SaleUpdate(new SaleView(s.id(), s.productId(), s.price(), s.stock(), s.available(), s.reserved(),
          s.confirmed(), s.released(), s.status(), startsAt, s.endsAt(), s.perUserLimit(), s.holdSeconds(), s.room()),
          row.version() + 1);
    });
  }

  /** The next {@code count} reads fail, as when the database is away. */
  void failNext(int count) {
    failures.set(count);
  }

  int reads() {
    return reads.get();
  }

  /** Only the read model's own tests page through sales. */
  @Override
  public CompletionStage<Page<SaleView>> list(Filter filter, Instant now, int limit, UUID after) {
    throw new UnsupportedOperationException("the actors under test do not list sales");
  }

  @Override
  public CompletionStage<List<SaleUpdate>> active(Instant endedSince, Instant now) {
    reads.incrementAndGet();
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("the database is away"));
    }
    return CompletableFuture.completedFuture(rows.values().stream()
        .filter(row -> row.sale().endsAt().isAfter(endedSince) || row.sale().reserved() > 0)
        .sorted(Comparator.comparing(row -> row.sale().startsAt()))
        .limit(MAX_ACTIVE)
        .map(row -> new SaleUpdate(asOf(row.sale(), now), row.version()))
        .toList());
  }

  @Override
  public CompletionStage<List<Scheduled>> toSchedule(Instant endedSince) {
    reads.incrementAndGet();
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("the database is away"));
    }
    return CompletableFuture.completedFuture(rows.values().stream()
        .map(SaleUpdate::sale)
        .map(sale -> new Scheduled(sale.id(), sale.startsAt(), sale.endsAt(), sale.status() == SaleStatus.CANCELLED,
            sale.reserved() > 0 || paymentsPending.contains(sale.id())))
        .filter(sale -> (!sale.cancelled() && sale.endsAt().isAfter(endedSince)) || sale.hasOpenWork())
        .sorted(Comparator.comparing(Scheduled::startsAt))
        .limit(MAX_ACTIVE)
        .toList());
  }

  private static SaleView asOf(SaleView sale, Instant now) {
    return LiveSales.asOf(sale, now);
  }
}
