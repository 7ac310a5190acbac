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
    int holdSeconds) {}
