package com.flashsale.sale;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as the API shows it; {@code paymentRef} names its captured (or refunded) charge, and
 * {@code paymentStatus} the outcome of its latest payment attempt (null: none).
 */
public record OrderView(
    String id,
    String saleId,
    String userId,
    int quantity,
    BigDecimal unitPrice,
    BigDecimal total,
    OrderStatus status,
    Instant createdAt,
    Instant expiresAt,
    String paymentRef,
    PaymentStatus paymentStatus) {}
