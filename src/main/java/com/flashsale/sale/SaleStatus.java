package com.flashsale.sale;

import com.flashsale.ErrorCode;
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

  /** No unit is free: asked of the entity, or answered at the edge when no hold can come back. */
  public static final SaleReply.Rejected NO_UNIT_LEFT = new SaleReply.Rejected(ErrorCode.SOLD_OUT,
      "No unit available right now");

  /**
   * The answer to a purchase while a sale has this status, whatever the buyer holds or asks: the entity and
   * every node's edge answer alike. Null while the sale sells (live or sold out: a hold may come back).
   */
  public SaleReply.Rejected closedForPurchase(Instant startsAt, Instant endsAt) {
    return switch (this) {
      case CANCELLED -> new SaleReply.Rejected(ErrorCode.SALE_CANCELLED, "The sale was cancelled");
      case ENDED -> new SaleReply.Rejected(ErrorCode.SALE_ENDED, "The sale ended at " + endsAt);
      case UPCOMING -> new SaleReply.Rejected(ErrorCode.NOT_STARTED, "The sale starts at " + startsAt);
      case LIVE, SOLD_OUT -> null;
    };
  }
}
