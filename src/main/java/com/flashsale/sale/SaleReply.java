package com.flashsale.sale;

import com.flashsale.CborSerializable;
import com.flashsale.ErrorCode;

/** Every answer of a sale entity: an outcome, or a rejection as a value (mapped to HTTP in one place). */
public sealed interface SaleReply extends CborSerializable {

  /** {@code room}: the newest update of the sale's waiting room (null: none published by this entity yet). */
  record SaleDetails(SaleView sale, RoomUpdate room) implements SaleReply {

    public SaleDetails(SaleView sale) {
      this(sale, null);
    }
  }

  /** {@code created} is true only for a hold made by this very request (HTTP 201, else 200). */
  record OrderDetails(OrderView order, boolean created) implements SaleReply {}

  /** The hold is marked as being paid: the caller may now charge the buyer. */
  record ReadyToPay(OrderView order) implements SaleReply {}

  /** A {@link SaleCommand.OrderBatch} was decided, and its {@code written} commands persisted. */
  record BatchWritten(int written) implements SaleReply {}

  record Rejected(ErrorCode code, String detail) implements SaleReply {}
}
