package com.flashsale.sale;

import java.math.BigDecimal;
import java.time.Instant;

/** A sale as its entity knows it at one instant: terms, exact unit counts and derived status. */
public record SaleView(
    String id,
    String productId,
    BigDecimal price,
    int stock,
    int available,
    int reserved,
    int confirmed,
    int released,
    SaleStatus status,
    Instant startsAt,
    Instant endsAt,
    int perUserLimit,
    int holdSeconds,
    RoomTerms room) {

  public boolean hasRoom() {
    return room != null;
  }
}
