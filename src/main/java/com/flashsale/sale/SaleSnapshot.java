package com.flashsale.sale;

import com.flashsale.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The serialised form of {@link SaleState}; indexes are rebuilt from the orders on load. Fields added later are
 * null in snapshots written before them.
 */
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
    List<Order> orders,
    /** Every Idempotency-Key (as "userId\nkey") and the order it names, bound ones included. */
    Map<String, Long> ordersByIdempotencyKey,
    /** Keys bound to an order of another quantity, and the quantity their request asked for. */
    Map<String, Integer> requestedQuantities,
    SaleTerms createdWith,
    /** Admin changes made with an Idempotency-Key, by key. */
    Map<String, SaleEvent.ChangeKeyBound> changesByKey,
    /** Holds each buyer cancelled. */
    Map<String, Integer> cancellationsByUser,
    RoomTerms room,
    RoomProgress progress)
    implements CborSerializable {}
