package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import com.flashsale.CborSerializable;
import java.time.Instant;

/** What a sale entity can be asked. Each command that expects an answer names where it goes. */
public sealed interface SaleCommand extends CborSerializable {

  /** Commands answered with a {@link SaleReply}. */
  sealed interface WithReply extends SaleCommand {
    ActorRef<SaleReply> replyTo();
  }

  record Create(SaleTerms terms, ActorRef<SaleReply> replyTo) implements WithReply {}

  /** {@code idempotencyKey} may be null. */
  record Reserve(String userId, int quantity, String idempotencyKey, ActorRef<SaleReply> replyTo)
      implements WithReply {}

  /**
   * Purchase requests that reached one node's batcher while the previous batch was being written
   * (DESIGN.md rule 3): each is answered at its own {@code replyTo}; {@code replyTo} of the batch
   * learns when the batch is done.
   */
  record ReserveBatch(java.util.List<Reserve> requests, ActorRef<SaleReply> replyTo) implements WithReply {}

  record BeginPayment(long orderNo, String userId, ActorRef<SaleReply> replyTo) implements WithReply {}

  record ConfirmPayment(long orderNo, String paymentRef, ActorRef<SaleReply> replyTo) implements WithReply {}

  record DeclinePayment(long orderNo, ActorRef<SaleReply> replyTo) implements WithReply {}

  record CancelOrder(long orderNo, String userId, boolean byAdmin, ActorRef<SaleReply> replyTo)
      implements WithReply {}

  record GetOrder(long orderNo, String userId, boolean byAdmin, ActorRef<SaleReply> replyTo)
      implements WithReply {}

  record GetOrdersOf(String userId, ActorRef<SaleReply> replyTo) implements WithReply {}

  /** An admin change; null fields and {@code addStock == 0} leave that part unchanged. */
  record ChangeSale(Instant startsAt, Instant endsAt, int addStock, ActorRef<SaleReply> replyTo)
      implements WithReply {}

  record CancelSale(ActorRef<SaleReply> replyTo) implements WithReply {}

  record Get(ActorRef<SaleReply> replyTo) implements WithReply {}

  /**
   * Wake up and publish the current state: sent by the sale scheduler at the sale's start and end,
   * when its status changes with time alone.
   */
  record WakeUp(Instant at) implements SaleCommand {}

  /** Release the holds whose time ran out; sent by the entity to itself through sharding. */
  record ExpireHolds(Instant requestedAt) implements SaleCommand {}

  /** The entity's own timer; never leaves the node. */
  record ExpiryTick(Instant armedAt) implements SaleCommand {}
}
