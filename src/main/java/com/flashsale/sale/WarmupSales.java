package com.flashsale.sale;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sales a starting node opens to warm its own hot paths ({@code warmup.Warmup}) before it says ready. Only
 * this process knows their ids, and only while it warms up: {@link SaleClient} and {@link OrderBatcher} send their
 * requests to warm-up entities ({@link Sale#WARMUP_PREFIX}), whose events go to tables nothing else reads, and no
 * other node hears of them. Once {@link #closeAll closed}, their ids are unknown sales like any other.
 */
public final class WarmupSales {

  private final Set<UUID> open = ConcurrentHashMap.newKeySet();

  /** A new warm-up sale's id, to create with {@link SaleClient#create}. */
  public UUID open() {
    UUID id = UUID.randomUUID();
    open.add(id);
    return id;
  }

  /** The warm-up is over: its sales' ids now name no sale. */
  public void closeAll() {
    open.clear();
  }

  boolean isOpen(UUID saleId) {
    return !open.isEmpty() && open.contains(saleId);
  }

  /** The sharding entity id of a sale. */
  String entityId(UUID saleId) {
    return isOpen(saleId) ? Sale.WARMUP_PREFIX + saleId : saleId.toString();
  }
}
