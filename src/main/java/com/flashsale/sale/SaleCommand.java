package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.flashsale.CborSerializable;
import java.time.Instant;
import java.util.List;

/** What a sale entity can be asked. Each command that expects an answer names where it goes. */
public sealed interface SaleCommand extends CborSerializable {

  /** Commands answered with a {@link SaleReply}. */
  sealed interface WithReply extends SaleCommand {
    ActorRef<SaleReply> replyTo();
  }

  /**
   * A request that changes the sale on behalf of a caller who waits only until {@code deadline} (wall-clock
   * time; null: no deadline). The entity does not decide it after that: its caller has answered its client
   * 503 already, and a hold or a change nobody was told of must not follow.
   */
  sealed interface Deadlined extends WithReply {
    Instant deadline();
  }

  /**
   * The commands about a buyer's order, which a node's batcher sends together in an {@link OrderBatch}
   * (named in the wire format, since a batch holds several kinds).
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "command")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Reserve.class, name = "reserve"),
      @JsonSubTypes.Type(value = BeginPayment.class, name = "begin-payment"),
      @JsonSubTypes.Type(value = ConfirmPayment.class, name = "confirm-payment"),
      @JsonSubTypes.Type(value = DeclinePayment.class, name = "decline-payment"),
      @JsonSubTypes.Type(value = RecordRefund.class, name = "record-refund"),
      @JsonSubTypes.Type(value = CancelOrder.class, name = "cancel-order")})
  sealed interface OrderCommand extends WithReply {}

  /** {@code admin}: the user id of the admin who asked, recorded in the event (null in tests). */
  record Create(SaleTerms terms, String admin, Instant deadline, ActorRef<SaleReply> replyTo) implements Deadlined {}

  /**
   * {@code idempotencyKey} may be null. {@code admitted}: the buyer showed a valid admission pass to this sale's
   * waiting room (checked by the route); while the sale has a room, only they may buy.
   */
  record Reserve(String userId, int quantity, String idempotencyKey, boolean admitted, Instant deadline,
      ActorRef<SaleReply> replyTo) implements OrderCommand, Deadlined {

    /** A purchase without an admission pass. */
    public Reserve(String userId, int quantity, String idempotencyKey, Instant deadline, ActorRef<SaleReply> replyTo) {
      this(userId, quantity, idempotencyKey, false, deadline, replyTo);
    }
  }

  /** The buyer is about to pay; {@code attempt} is the new attempt's id, its key at the gateway. */
  record BeginPayment(long orderNo, String userId, String attempt, Instant deadline, ActorRef<SaleReply> replyTo)
      implements OrderCommand, Deadlined {}

  /**
   * The gateway captured the attempt's charge. A fact, never refused for lateness: if the hold is gone, the
   * sale gives the charge back.
   */
  record ConfirmPayment(long orderNo, String attempt, String paymentRef, ActorRef<SaleReply> replyTo)
      implements OrderCommand {}

  /** The attempt charged nothing (declined, or its key closed unused). */
  record DeclinePayment(long orderNo, String attempt, ActorRef<SaleReply> replyTo) implements OrderCommand {}

  /** The attempt's charge was given back. */
  record RecordRefund(long orderNo, String attempt, String paymentRef, ActorRef<SaleReply> replyTo)
      implements OrderCommand {}

  /** {@code userId} is the caller's: the buyer, or the admin when {@code byAdmin}. */
  record CancelOrder(long orderNo, String userId, boolean byAdmin, Instant deadline, ActorRef<SaleReply> replyTo)
      implements OrderCommand, Deadlined {}

  /**
   * Order commands that reached one node's batcher while its previous batch for the sale was being
   * written (docs/architecture.md rule 3): decided in this order, written at once, each answered at its own
   * {@code replyTo}; {@code replyTo} of the batch learns when the batch is done.
   */
  record OrderBatch(List<OrderCommand> commands, ActorRef<SaleReply> replyTo) implements WithReply {}

  record GetOrder(long orderNo, String userId, boolean byAdmin, ActorRef<SaleReply> replyTo)
      implements WithReply {}


  /**
   * An admin change; null fields and {@code addStock == 0} leave that part unchanged. {@code idempotencyKey}
   * (may be null) makes a retry of the same request change nothing again.
   */
  record ChangeSale(Instant startsAt, Instant endsAt, int addStock, RoomTerms.RoomChange room, String idempotencyKey,
      String admin, Instant deadline, ActorRef<SaleReply> replyTo) implements Deadlined {}

  record CancelSale(String admin, Instant deadline, ActorRef<SaleReply> replyTo) implements Deadlined {}

  record Get(ActorRef<SaleReply> replyTo) implements WithReply {}

  /**
   * Start (if need be) and publish the current state: sent by the sale scheduler, at the sale's start and
   * end and to keep it running ({@link SaleScheduler}), and by a live view that waits for its first update.
   */
  record WakeUp(Instant at) implements SaleCommand {}

  /** Move the waiting room's admission on and tell every node: the entity's own timer, while it has a room. */
  record RoomTick(Instant requestedAt) implements SaleCommand {}

  /**
   * What one node saw of a sale's waiting room in one period of {@code flashsale.waiting-room.heartbeat}
   * ({@code period} counts them from the epoch): per bucket of ranks, the tickets that checked in (each counted
   * once per period, on whichever node it reached), and how many joined.
   */
  record RoomReport(String node, long period, java.util.Map<Long, Integer> seen, int joined) implements SaleCommand {}

  /** Release the holds whose time ran out and settle the payments due: the entity's own timer. */
  record ExpireHolds(Instant requestedAt) implements SaleCommand {}

  /**
   * The result of a gateway call the entity made to settle a payment attempt in doubt ({@link PaymentSettlement}):
   * {@code charge} for a look-up, nothing for a refund; {@code failure} if the call failed. Never leaves the node.
   */
  record PaymentSettled(long orderNo, String attempt, PaymentSettlement.Step step,
      com.flashsale.payment.PaymentGateway.Charge charge, Throwable failure) implements SaleCommand {}
}
