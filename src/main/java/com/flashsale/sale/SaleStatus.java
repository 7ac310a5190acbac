package com.flashsale.sale;

import java.time.Instant;

/** What a buyer sees of a sale at a given instant. */
public enum SaleStatus {
  UPCOMING,
  LIVE,
  SOLD_OUT,
  ENDED,
  CANCELLED;

  /** The one rule for a sale's status at {@code now}, used by the entity, the read model and the live view. */
  public static SaleStatus at(Instant now, boolean cancelled, Instant startsAt, Instant endsAt, int available) {
    if (cancelled) {
      return CANCELLED;
    }
    if (!now.isBefore(endsAt)) {
      return ENDED;
    }
    if (now.isBefore(startsAt)) {
      return UPCOMING;
    }
    return available == 0 ? SOLD_OUT : LIVE;
  }
}
