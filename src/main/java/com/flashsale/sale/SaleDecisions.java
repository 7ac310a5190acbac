package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EffectFactories;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleCommand.CancelSale;
import com.flashsale.sale.SaleCommand.ChangeSale;
import com.flashsale.sale.SaleCommand.Create;
import com.flashsale.sale.SaleCommand.GetOrder;
import com.flashsale.sale.SaleCommand.OrderBatch;
import com.flashsale.sale.SaleCommand.OrderCommand;
import com.flashsale.sale.SaleCommand.WithReply;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a {@link Sale} entity decides each command from its own state: validate, then persist the
 * resulting events and answer after they are written (persist, then answer), or answer a rejection
 * at once without writing anything. Runs only inside the entity, one command at a time.
 */
final class SaleDecisions {

  /** The answer about an order the sale released and no longer keeps (the read model has it). */
  static final String RELEASED = "The order was released (cancelled or expired)";

  /** Bounds the entity's state, which is O(stock). */
  static final int MAX_STOCK = 1_000_000;

  private final SaleSettings settings;
  private final Consumer<SaleState> afterChange;
  private final EffectFactories<SaleEvent, SaleState> effect;
  /** A write is in flight (at most one: the entity takes no command while it writes), and who waits for it. */
  private boolean writing;
  private List<ActorRef<SaleReply>> awaitingWrite = List.of();

  SaleDecisions(SaleSettings settings, Consumer<SaleState> afterChange,
      EffectFactories<SaleEvent, SaleState> effect) {
    this.settings = settings;
    this.afterChange = afterChange;
    this.effect = effect;
  }

  ReplyEffect<SaleEvent, SaleState> create(SaleState state, Create cmd, Instant now) {
    if (Deadlines.passed(cmd)) {
      return effect.reply(cmd.replyTo(), Deadlines.TOO_LATE);
    }
    SaleTerms t = cmd.terms();
    if (t.stock() < 1 || t.stock() > MAX_STOCK || t.perUserLimit() < 1 || t.holdSeconds() < 1
        || !t.startsAt().isBefore(t.endsAt()) || (t.room() != null && roomInvalid(t.room(), t.startsAt()) != null)) {
      return reject(cmd, ErrorCode.VALIDATION, "Invalid sale terms");
    }
    var created = new SaleEvent.SaleCreated(state.saleId(), t.productId(), t.price(), t.stock(), t.startsAt(),
        t.endsAt(), t.perUserLimit(), t.holdSeconds(), now, cmd.admin(), t.room());
    return persist(List.of(created), cmd.replyTo()).thenReply(cmd.replyTo(), s -> new SaleDetails(s.view(now)));
  }

  /**
   * Creating an existing sale again: a create retried with the same Idempotency-Key (which names the sale)
   * answers the sale as it is, and changes nothing; the same key with other terms is another request.
   */
  ReplyEffect<SaleEvent, SaleState> createAgain(SaleState state, Create cmd, Instant now) {
    if (!cmd.terms().equals(state.createdWith())) {
      return reject(cmd, ErrorCode.IDEMPOTENCY_MISMATCH, "This Idempotency-Key was used to create another sale");
    }
    return effect.reply(cmd.replyTo(), new SaleDetails(state.view(now)));
  }

  /** One order command on its own: a round of one (see {@link OrderRound}). */
  ReplyEffect<SaleEvent, SaleState> decide(SaleState state, OrderCommand cmd, Instant now) {
    OrderRound round = new OrderRound(state, now, settings);
    OrderRound.Decision decision = round.decide(cmd);
    if (decision.isImmediate()) {
      return effect.reply(cmd.replyTo(), decision.now());
    }
    return persist(round.events(), cmd.replyTo()).thenReply(cmd.replyTo(), decision::afterWrite);
  }

  /**
   * docs/architecture.md rule 3, group commit: the commands are decided in arrival order; answers that need no
   * write (rejections, orders as the journal already has them) go out at once, and every resulting
   * event is persisted in ONE atomic write, after which each remaining command is answered. The
   * batcher gets the number of commands written.
   */
  ReplyEffect<SaleEvent, SaleState> decideBatch(SaleState state, OrderBatch batch, Instant now) {
    OrderRound round = new OrderRound(state, now, settings);
    List<OrderCommand> waiting = new ArrayList<>();
    List<OrderRound.Decision> decided = new ArrayList<>();
    for (OrderCommand command : batch.commands()) {
      OrderRound.Decision decision = round.decide(command);
      if (decision.isImmediate()) {
        command.replyTo().tell(decision.now());
      } else {
        waiting.add(command);
        decided.add(decision);
      }
    }
    SaleReply.BatchWritten done = new SaleReply.BatchWritten(waiting.size());
    List<SaleEvent> events = round.events();
    if (events.isEmpty()) {
      return effect.reply(batch.replyTo(), done);
    }
    List<ActorRef<SaleReply>> waiters = new ArrayList<>(waiting.size() + 1);
    waiting.forEach(command -> waiters.add(command.replyTo()));
    waiters.add(batch.replyTo());
    return persist(events, waiters)
        .thenRun(written -> {
          for (int i = 0; i < waiting.size(); i++) {
            waiting.get(i).replyTo().tell(decided.get(i).afterWrite(written));
          }
        })
        .thenReply(batch.replyTo(), written -> done);
  }

  /** Every command of a batch gets the same rejection (the sale does not exist). */
  ReplyEffect<SaleEvent, SaleState> rejectBatch(OrderBatch batch, ErrorCode code, String detail) {
    batch.commands().forEach(command -> command.replyTo().tell(new Rejected(code, detail)));
    return effect.reply(batch.replyTo(), new SaleReply.BatchWritten(0));
  }

  ReplyEffect<SaleEvent, SaleState> getOrder(SaleState state, GetOrder cmd) {
    Order order = state.order(cmd.orderNo());
    if (order == null && state.wasReleased(cmd.orderNo())) {
      return reject(cmd, ErrorCode.RESERVATION_EXPIRED, RELEASED);
    }
    if (order == null) {
      return reject(cmd, ErrorCode.NOT_FOUND, "No such order");
    }
    Rejected notTheirs = order.refusalFor(cmd.userId(), cmd.byAdmin());
    return effect.reply(cmd.replyTo(), notTheirs != null ? notTheirs : new OrderDetails(state.view(order), false));
  }

  /** Admin changes: the start moves only before it, the end only while not ended, stock only grows. */
  ReplyEffect<SaleEvent, SaleState> change(SaleState state, ChangeSale cmd, Instant now) {
    if (Deadlines.passed(cmd)) {
      return effect.reply(cmd.replyTo(), Deadlines.TOO_LATE);
    }
    SaleEvent.ChangeKeyBound done = cmd.idempotencyKey() == null ? null : state.changeByKey(cmd.idempotencyKey());
    if (done != null) {
      return done.sameRequest(cmd)
          ? effect.reply(cmd.replyTo(), new SaleDetails(state.view(now)))
          : reject(cmd, ErrorCode.IDEMPOTENCY_MISMATCH, "This Idempotency-Key was used for another change");
    }
    Rejected forbidden = changeForbidden(state, now);
    if (forbidden != null) {
      return effect.reply(cmd.replyTo(), forbidden);
    }
    if (cmd.startsAt() != null && !now.isBefore(state.startsAt())) {
      return reject(cmd, ErrorCode.INVALID_TRANSITION, "The sale has started; its start can no longer move");
    }
    Instant startsAt = cmd.startsAt() != null ? cmd.startsAt() : state.startsAt();
    Instant endsAt = cmd.endsAt() != null ? cmd.endsAt() : state.endsAt();
    if (!startsAt.isBefore(endsAt)) {
      return reject(cmd, ErrorCode.VALIDATION, "startsAt must be before endsAt");
    }
    if (cmd.addStock() < 0 || (long) state.stock() + cmd.addStock() > MAX_STOCK) {
      return reject(cmd, ErrorCode.VALIDATION, "addStock must be > 0 and the stock at most " + MAX_STOCK);
    }
    RoomTerms room = cmd.room() == null ? state.room() : cmd.room().applyTo(state.room(), startsAt);
    String roomInvalid = room == null ? null : roomInvalid(room, startsAt);
    if (roomInvalid != null) {
      return reject(cmd, ErrorCode.VALIDATION, roomInvalid);
    }
    List<SaleEvent> events = new ArrayList<>(2);
    if (!startsAt.equals(state.startsAt()) || !endsAt.equals(state.endsAt())) {
      events.add(new SaleEvent.SaleRescheduled(startsAt, endsAt, now, cmd.admin()));
    }
    if (cmd.addStock() > 0) {
      events.add(new SaleEvent.StockAdded(cmd.addStock(), now, cmd.admin()));
    }
    if (!java.util.Objects.equals(room, state.room())) {
      events.add(new SaleEvent.RoomChanged(room, now, cmd.admin()));
    }
    if (cmd.idempotencyKey() != null) {
      events.add(new SaleEvent.ChangeKeyBound(cmd.idempotencyKey(), cmd.startsAt(), cmd.endsAt(), cmd.addStock(), now,
          cmd.room()));
    }
    if (events.isEmpty()) {
      return effect.reply(cmd.replyTo(), new SaleDetails(state.view(now)));
    }
    return persist(events, cmd.replyTo()).thenReply(cmd.replyTo(), s -> new SaleDetails(s.view(now)));
  }

  /** Cancelling releases every open hold; cancelling again answers the cancelled sale. */
  ReplyEffect<SaleEvent, SaleState> cancelSale(SaleState state, CancelSale cmd, Instant now) {
    if (Deadlines.passed(cmd)) {
      return effect.reply(cmd.replyTo(), Deadlines.TOO_LATE);
    }
    if (state.isCancelled()) {
      return effect.reply(cmd.replyTo(), new SaleDetails(state.view(now)));
    }
    Rejected forbidden = changeForbidden(state, now);
    if (forbidden != null) {
      return effect.reply(cmd.replyTo(), forbidden);
    }
    return persist(List.of(new SaleEvent.SaleCancelled(state.openHolds().orderNos(), now, cmd.admin())), cmd.replyTo())
        .thenReply(cmd.replyTo(), s -> new SaleDetails(s.view(now)));
  }

  /** What is wrong with a waiting room's terms for a sale starting at {@code startsAt}, or null. */
  static String roomInvalid(RoomTerms room, Instant startsAt) {
    if (room.prequeueOpensAt() == null || room.prequeueOpensAt().isAfter(startsAt)) {
      return "waitingRoom.prequeueOpensAt must be at or before the sale's start";
    }
    if (room.difficulty() < RoomTerms.MIN_DIFFICULTY || room.difficulty() > RoomTerms.MAX_DIFFICULTY) {
      return "waitingRoom.difficulty must be between " + RoomTerms.MIN_DIFFICULTY + " and " + RoomTerms.MAX_DIFFICULTY;
    }
    if (room.admissionRate() < 0 || room.admissionRate() > RoomTerms.MAX_ADMISSION_RATE) {
      return "waitingRoom.admissionRate must be between 0 (automatic) and " + RoomTerms.MAX_ADMISSION_RATE;
    }
    return null;
  }

  private static Rejected changeForbidden(SaleState state, Instant now) {
    if (state.isCancelled()) {
      return new Rejected(ErrorCode.INVALID_TRANSITION, "The sale was cancelled");
    }
    if (!now.isBefore(state.endsAt())) {
      return new Rejected(ErrorCode.INVALID_TRANSITION, "The sale has ended");
    }
    return null;
  }

  /**
   * Holds whose time ran out are released before any command is decided, so no decision ever sees a
   * dead hold as open: the release is persisted, then the command is delivered again (to the back of
   * the mailbox) and decided on the state without them.
   */
  ReplyEffect<SaleEvent, SaleState> releaseDueHoldsFirst(SaleState state, WithReply cmd, Instant now,
      Consumer<SaleCommand> redeliver) {
    return persist(List.of(new SaleEvent.HoldsExpired(state.openHolds().dueAt(now, settings.paymentGrace()), now)),
            waitersOf(cmd))
        .thenRun(s -> redeliver.accept(cmd))
        .thenNoReply();
  }

  /** Releases the holds whose time (and payment grace) ran out, in one write. */
  ReplyEffect<SaleEvent, SaleState> expireHolds(SaleState state, Instant now) {
    List<Long> due = state.openHolds().dueAt(now, settings.paymentGrace());
    if (due.isEmpty()) {
      afterChange.accept(state);
      return effect.noReply();
    }
    return persist(List.of(new SaleEvent.HoldsExpired(due, now)), List.of()).thenNoReply();
  }

  /** Writes what the entity decided by itself (no one waits for it). */
  EffectBuilder<SaleEvent, SaleState> record(SaleEvent event) {
    return persist(List.of(event), List.of());
  }

  /**
   * Every write goes through here: the entity re-arms its timer and publishes after each one, and
   * {@code waiters} (who are answered only once it is written) are answered by {@link #writeFailed} if it fails.
   */
  private EffectBuilder<SaleEvent, SaleState> persist(List<SaleEvent> events, List<ActorRef<SaleReply>> waiters) {
    writing = true;
    awaitingWrite = waiters;
    return effect.persist(events).thenRun(state -> {
      writing = false;
      awaitingWrite = List.of();
      afterChange.accept(state);
    });
  }

  private EffectBuilder<SaleEvent, SaleState> persist(List<SaleEvent> events, ActorRef<SaleReply> waiter) {
    return persist(events, List.of(waiter));
  }

  /**
   * The write in flight failed, and the entity restarts from the journal. Whoever waited for it is told to
   * retry (503): the write may or may not have reached the journal, and a retry finds out (the same
   * Idempotency-Key gets the order back if it was written). Whether a write was in flight.
   */
  boolean writeFailed() {
    boolean failed = writing;
    writing = false;
    Rejected retry = new Rejected(ErrorCode.OVERLOADED, "The sale could not record this request; retry shortly");
    awaitingWrite.forEach(waiter -> waiter.tell(retry)); // a batcher takes any answer as its batch being done
    awaitingWrite = List.of();
    return failed;
  }

  /** Whom a command answers once the write it causes is done: a batch's commands and the batch. */
  private static List<ActorRef<SaleReply>> waitersOf(WithReply cmd) {
    if (cmd instanceof OrderBatch batch) {
      List<ActorRef<SaleReply>> waiters = new ArrayList<>();
      batch.commands().forEach(command -> waiters.add(command.replyTo()));
      waiters.add(batch.replyTo());
      return waiters;
    }
    return List.of(cmd.replyTo());
  }

  ReplyEffect<SaleEvent, SaleState> reject(SaleCommand cmd, ErrorCode code, String detail) {
    if (cmd instanceof WithReply withReply) {
      return effect.reply(withReply.replyTo(), new Rejected(code, detail));
    }
    return effect.noReply();
  }
}
