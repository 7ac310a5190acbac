package com.flashsale.sale;

import java.math.BigDecimal;
import java.time.Instant;

/** What an admin decides when creating a sale (already validated by the route). */
public record SaleTerms(
    String productId,
    BigDecimal price,
    int stock,
    Instant startsAt,
    Instant endsAt,
    int perUserLimit,
    int holdSeconds,
    RoomTerms room) {

  /** A sale without a waiting room. */
  public SaleTerms(String productId, BigDecimal price, int stock, Instant startsAt, Instant endsAt, int perUserLimit,
      int holdSeconds) {
    this(productId, price, stock, startsAt, endsAt, perUserLimit, holdSeconds, null);
  }
}
