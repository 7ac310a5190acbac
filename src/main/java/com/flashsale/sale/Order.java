package com.flashsale.sale;

import java.time.Instant;

/**
 * One order inside its sale's state. Immutable: a change replaces it. {@code paymentAttempt} is the id of a
 * payment attempt whose outcome is not recorded yet ({@link PaymentStatus#PENDING}, since
 * {@code paymentStartedAt}); while it is, its hold waits for the outcome (up to the payment grace) and the
 * sale settles it. {@code paymentRef} names the charge that was captured (or refunded). {@code paymentAttempts}
 * counts the attempts begun, which a sale bounds ({@link SaleSettings.BuyerBounds}). {@code idempotencyKey} is
 * the one key that names the order: its purchase's, or the first one a later purchase bound to it.
 */
public record Order(
    long orderNo,
    String userId,
    int quantity,
    String idempotencyKey,
    Instant reservedAt,
    Instant expiresAt,
    OrderStatus status,
    Instant paymentStartedAt,
    String paymentRef,
    String paymentAttempt,
    PaymentStatus paymentStatus,
    int paymentAttempts) {

  /** A new hold. */
  Order(long orderNo, String userId, int quantity, String idempotencyKey, Instant reservedAt, Instant expiresAt) {
    this(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, OrderStatus.RESERVED, null, null, null, null, 0);
  }

  /** Released (expired or cancelled); a payment attempt in doubt stays, to be settled. */
  Order withStatus(OrderStatus newStatus) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, newStatus, paymentStartedAt,
        paymentRef, paymentAttempt, paymentStatus, paymentAttempts);
  }

  /** Named by {@code key} from now on (an order has one key; see {@link SaleEvent.IdempotencyKeyBound}). */
  Order withKey(String key) {
    return new Order(orderNo, userId, quantity, key, reservedAt, expiresAt, status, paymentStartedAt, paymentRef,
        paymentAttempt, paymentStatus, paymentAttempts);
  }

  Order paymentStarted(String attempt, Instant at) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, status, at, paymentRef, attempt,
        PaymentStatus.PENDING, paymentAttempts + 1);
  }

  /** The attempt in doubt ended: declined or nothing charged, or its charge given back. */
  Order paymentEnded(PaymentStatus outcome, String ref) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, status, null,
        ref != null ? ref : paymentRef, null, outcome, paymentAttempts);
  }

  Order confirmed(String ref) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, OrderStatus.CONFIRMED, null, ref,
        null, PaymentStatus.CAPTURED, paymentAttempts);
  }

  /**
   * Released (cancelled or expired) with no payment attempt in doubt: of no further use to the sale, which
   * drops it from its state (the journal and the read model keep it).
   */
  boolean isFinishedRelease() {
    return (status == OrderStatus.CANCELLED || status == OrderStatus.EXPIRED) && paymentStatus != PaymentStatus.PENDING;
  }

  boolean isOpenHold() {
    return status == OrderStatus.RESERVED;
  }

  /** Units that count against the per-user limit: held or bought. */
  boolean takesUnits() {
    return status == OrderStatus.RESERVED || status == OrderStatus.CONFIRMED;
  }

  /**
   * Only its buyer may see or change an order, and an admin where the command allows one: the refusal,
   * or null when {@code userId} may.
   */
  SaleReply.Rejected refusalFor(String userId, boolean byAdmin) {
    return byAdmin || this.userId.equals(userId) ? null
        : new SaleReply.Rejected(com.flashsale.ErrorCode.FORBIDDEN, "This order belongs to another buyer");
  }

  /** The units a buyer's orders count against the per-user limit. */
  static int unitsTaken(Iterable<Order> ordersOfBuyer) {
    int units = 0;
    for (Order order : ordersOfBuyer) {
      units += order.takesUnits() ? order.quantity() : 0;
    }
    return units;
  }

  /** The buyer's open hold (a buyer has at most one at a time), or null. */
  static Order openHold(Iterable<Order> ordersOfBuyer) {
    for (Order order : ordersOfBuyer) {
      if (order.isOpenHold()) {
        return order;
      }
    }
    return null;
  }

  /** Whether {@code attempt} is this order's payment attempt in doubt. */
  boolean awaits(String attempt) {
    return paymentAttempt != null && paymentAttempt.equals(attempt);
  }
}
