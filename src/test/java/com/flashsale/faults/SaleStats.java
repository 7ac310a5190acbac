package com.flashsale.faults;

import com.fasterxml.jackson.databind.JsonNode;

/** A sale's counts, as its entity answers them (GET /api/admin/sales/{id}/stats) or its {@code sales} row holds them. */
public record SaleStats(int stock, int available, int reserved, int confirmed, int released) {

  public static SaleStats of(JsonNode stats) {
    return new SaleStats(stats.get("stock").asInt(), stats.get("available").asInt(), stats.get("reserved").asInt(),
        stats.get("confirmed").asInt(), stats.get("released").asInt());
  }

  /** Units held by orders: reserved and not yet paid, or paid. */
  public int sold() {
    return reserved + confirmed;
  }

  /** Every unit is in exactly one place: {@code available + reserved + confirmed == stock}, none below zero. */
  public boolean balanced() {
    return available >= 0 && reserved >= 0 && confirmed >= 0 && available + reserved + confirmed == stock;
  }

  @Override
  public String toString() {
    return String.format("stock %d, available %d, reserved %d, confirmed %d, released %d", stock, available, reserved,
        confirmed, released);
  }
}
