package com.flashsale.order;

import com.flashsale.Money;
import com.flashsale.sale.OrderStatus;
import com.flashsale.sale.OrderView;
import com.flashsale.sale.PaymentStatus;
import java.time.Instant;

/**
 * An order as the API shows it; {@code paymentRef} names its captured (or refunded) charge, null until there
 * is one, and {@code paymentStatus} the outcome of its latest payment attempt, null before any.
 */
public record OrderJson(String id, String saleId, String userId, int quantity, String unitPrice, String total,
    OrderStatus status, Instant createdAt, Instant expiresAt, String paymentRef, PaymentStatus paymentStatus) {

  OrderJson withStatus(OrderStatus newStatus) {
    return new OrderJson(id, saleId, userId, quantity, unitPrice, total, newStatus, createdAt, expiresAt, paymentRef,
        paymentStatus);
  }

  public static OrderJson of(OrderView order) {
    return new OrderJson(order.id(), order.saleId(), order.userId(), order.quantity(), Money.format(order.unitPrice()),
        Money.format(order.total()), order.status(), order.createdAt(), order.expiresAt(), order.paymentRef(),
        order.paymentStatus());
  }
}
