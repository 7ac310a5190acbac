package com.flashsale.sale;

import com.flashsale.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Everything that ever happened to a sale. These records are the journal's contract: renaming or
 * reshaping one needs a migration. Every fact carries its own time, so replay needs no clock. What an admin
 * did names them ({@code admin}: their user id), for the audit trail; it is null in events written before
 * that was recorded.
 */
public sealed interface SaleEvent extends CborSerializable {

  record SaleCreated(
      String saleId,
      String productId,
      BigDecimal price,
      int stock,
      Instant startsAt,
      Instant endsAt,
      int perUserLimit,
      int holdSeconds,
      Instant createdAt,
      String admin,
      RoomTerms room)
      implements SaleEvent {

    /** Events written before sales had waiting rooms name none. */
    public SaleCreated(String saleId, String productId, BigDecimal price, int stock, Instant startsAt, Instant endsAt,
        int perUserLimit, int holdSeconds, Instant createdAt, String admin) {
      this(saleId, productId, price, stock, startsAt, endsAt, perUserLimit, holdSeconds, createdAt, admin, null);
    }
  }

  /** A hold: {@code quantity} units leave {@code available} until paid, cancelled or expired. */
  record UnitsReserved(
      long orderNo, String userId, int quantity, String idempotencyKey, Instant reservedAt, Instant expiresAt)
      implements SaleEvent {}

  /**
   * Holds taken together (docs/architecture.md rule 3): two or more reservations decided one after another in one
   * round, written as one event, so a flash crowd costs the journal, and the projection reading it, one
   * row per write rather than one per buyer. It means exactly its {@link #reservations()}, in order.
   */
  record HoldsTaken(Instant reservedAt, Instant expiresAt, List<Hold> holds) implements SaleEvent {

    /** One buyer's hold: a {@link UnitsReserved} without the times its run shares. */
    public record Hold(long orderNo, String userId, int quantity, String idempotencyKey) {}

    public List<UnitsReserved> reservations() {
      return holds.stream().map(hold -> new UnitsReserved(hold.orderNo(), hold.userId(), hold.quantity(),
          hold.idempotencyKey(), reservedAt, expiresAt)).toList();
    }
  }

  /**
   * A request with a new Idempotency-Key for {@code quantity} units was answered with the buyer's existing
   * hold: the key now names that order, so replaying the request answers the same order even after the hold
   * is paid, and the same key with another quantity is a different request. ({@code quantity} is null in
   * events written before it was recorded; the order's quantity stands in then.) Only an order without a key
   * takes one, so new keys cannot grow the sale (events written before that rule may bind several).
   */
  record IdempotencyKeyBound(long orderNo, String userId, String idempotencyKey, Integer quantity, Instant at)
      implements SaleEvent {}

  /**
   * A payment attempt began, before the gateway is called: {@code attempt} is its key at the gateway. Until
   * its outcome is recorded the attempt is in doubt: expiry waits for it (up to the payment grace), and the
   * sale settles it itself if its caller never records the outcome. ({@code attempt} is null in events
   * written before attempts had keys.)
   */
  record PaymentStarted(long orderNo, Instant at, String attempt) implements SaleEvent {}

  /** The attempt charged nothing: declined, or its key closed unused. The hold stays until it expires. */
  record PaymentDeclined(long orderNo, Instant at, String attempt) implements SaleEvent {}

  /** The attempt's charge was captured: the order is paid. */
  record OrderConfirmed(long orderNo, String paymentRef, Instant at, String attempt) implements SaleEvent {}

  /** The attempt's charge came when the hold was gone, and was given back. */
  record PaymentRefunded(long orderNo, String paymentRef, Instant at, String attempt) implements SaleEvent {}

  /**
   * The buyer gave the hold back, or the admin named by {@code admin} (null: the buyer). A buyer's cancellations
   * are bounded ({@link SaleSettings.BuyerBounds}).
   */
  record OrderCancelled(long orderNo, Instant at, String admin) implements SaleEvent {}

  /** Holds whose time ran out, released together. */
  record HoldsExpired(List<Long> orderNos, Instant at) implements SaleEvent {}

  record StockAdded(int units, Instant at, String admin) implements SaleEvent {}

  /**
   * An admin's change carried an Idempotency-Key: written with the change's own events (if any), so that a
   * retry with that key and the same request changes nothing again, and one with another request is refused.
   * The fields are the request as made: null times and {@code addStock} 0 asked for no change there.
   */
  record ChangeKeyBound(String idempotencyKey, Instant startsAt, Instant endsAt, int addStock, Instant at,
      RoomTerms.RoomChange room) implements SaleEvent {

    /** A change of the sale's times or stock only (and events written before rooms). */
    public ChangeKeyBound(String idempotencyKey, Instant startsAt, Instant endsAt, int addStock, Instant at) {
      this(idempotencyKey, startsAt, endsAt, addStock, at, null);
    }

    boolean sameRequest(SaleCommand.ChangeSale change) {
      return java.util.Objects.equals(startsAt, change.startsAt()) && java.util.Objects.equals(endsAt, change.endsAt())
          && addStock == change.addStock() && java.util.Objects.equals(room, change.room());
    }
  }

  record SaleRescheduled(Instant startsAt, Instant endsAt, Instant at, String admin) implements SaleEvent {}

  /** An admin opened, changed or (with {@code room} null) removed the sale's waiting room. */
  record RoomChanged(RoomTerms room, Instant at, String admin) implements SaleEvent {}

  /**
   * The waiting room's admission moved on: buyers ranked below {@code watermark} may buy (docs/architecture.md,
   * the waiting room). {@code admitted} and {@code joined} are the room's running totals, estimated from what
   * the nodes saw.
   */
  record AdmissionAdvanced(long watermark, long admitted, long joined, Instant at) implements SaleEvent {}

  /** An admin cancelled the sale; the listed open holds were released with it. */
  record SaleCancelled(List<Long> releasedOrderNos, Instant at, String admin) implements SaleEvent {}
}
