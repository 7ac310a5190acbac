package com.flashsale.sale;

import java.time.Instant;

/**
 * One order inside its sale's state. Immutable: a change replaces it. {@code paymentStartedAt} is set
 * while the buyer is at the payment gateway (expiry then waits, up to the payment grace).
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
    String paymentRef) {

  Order withStatus(OrderStatus newStatus) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, newStatus, null, paymentRef);
  }

  Order withPaymentStarted(Instant at) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, status, at, paymentRef);
  }

  Order confirmed(String ref) {
    return new Order(orderNo, userId, quantity, idempotencyKey, reservedAt, expiresAt, OrderStatus.CONFIRMED, null, ref);
  }

  boolean isOpenHold() {
    return status == OrderStatus.RESERVED;
  }
}
