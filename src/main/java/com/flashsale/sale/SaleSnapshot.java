package com.flashsale.sale;

import com.flashsale.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The serialised form of {@link SaleState}; indexes are rebuilt from the orders on load. */
public record SaleSnapshot(
    String saleId,
    boolean created,
    String productId,
    BigDecimal price,
    int stock,
    Instant startsAt,
    Instant endsAt,
    int perUserLimit,
    int holdSeconds,
    boolean cancelled,
    int available,
    int confirmed,
    int released,
    long lastOrderNo,
    List<Order> orders)
    implements CborSerializable {}
