package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import com.flashsale.payment.PaymentGateway;
import com.flashsale.payment.PaymentGateway.Charge;
import com.flashsale.sale.SaleCommand.PaymentSettled;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one {@link Sale} entity settles its payment attempts in doubt by itself (docs/architecture.md rule 9): an attempt
 * whose outcome its caller never recorded (the node calling the gateway died, the gateway did not answer,
 * the confirmation timed out, or a refund failed) is looked up at the gateway by its key once
 * {@code settleAfter} has passed since it began (when its call can no longer be running). Its charge then confirms the
 * order if the hold is still there, or is given back; with no charge the key is closed, so that no charge
 * can arrive under it later. Each outcome is recorded through the order commands a buyer's payment uses
 * ({@code ConfirmPayment}, {@code RecordRefund}, {@code DeclinePayment}), sent by the entity to itself, so
 * one set of rules decides both. A failed call is tried again, later and later.
 *
 * <p>Part of the entity, run on its thread: the gateway is called outside it and answers with a
 * {@link PaymentSettled} command. What is in flight is kept here, not in the state: after a crash the
 * attempts are still in doubt in the journal, and settling starts over.
 */
final class PaymentSettlement {

  private static final Logger log = LoggerFactory.getLogger(PaymentSettlement.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration LAST_RETRY = Duration.ofSeconds(30);

  /** Which gateway call a {@link PaymentSettled} answers. */
  enum Step { LOOKED_UP, REFUNDED, KEY_CLOSED }

  private final PaymentGateway gateway;
  private final Duration settleAfter;
  private final Duration callTimeout;
  private final ActorContext<SaleCommand> context;
  private final SaleMonitor monitor;
  /** Attempts with a call in flight or waiting to retry, until when (System.nanoTime). */
  private final Map<String, Long> busyUntil = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();

  PaymentSettlement(PaymentGateway gateway, Duration settleAfter, Duration callTimeout, ActorContext<SaleCommand> context,
      SaleMonitor monitor) {
    this.gateway = gateway;
    this.settleAfter = settleAfter;
    this.callTimeout = callTimeout;
    this.context = context;
    this.monitor = monitor;
  }

  /** When the attempt of {@code order} is settled: once the call that made it can no longer be running. */
  Instant dueAt(Order order) {
    return order.paymentStartedAt().plus(settleAfter);
  }

  /** The earliest instant an attempt in doubt is due, or null if none is in doubt. */
  Instant nextDue(SaleState state) {
    Instant next = null;
    for (Order order : state.paymentsInDoubt()) {
      Instant due = dueAt(order);
      if (next == null || due.isBefore(next)) {
        next = due;
      }
    }
    return next;
  }

  /** Starts settling every attempt in doubt that is due and not being settled already. */
  void settleDue(SaleState state, Instant now) {
    long clock = System.nanoTime();
    Set<String> inDoubt = new HashSet<>();
    for (Order order : state.paymentsInDoubt()) {
      String attempt = order.paymentAttempt();
      inDoubt.add(attempt);
      Long busy = busyUntil.get(attempt);
      if (!dueAt(order).isAfter(now) && (busy == null || busy - clock <= 0)) {
        monitor.settlementStarted();
        call(order.orderNo(), attempt, Step.LOOKED_UP, gateway.lookUp(attempt));
      }
    }
    busyUntil.keySet().retainAll(inDoubt);
    failures.keySet().retainAll(inDoubt);
  }

  /**
   * What a call's outcome means: the next call, or the order command that records how the attempt ended
   * (to be sent to the entity itself, answering {@code nobody}).
   */
  Optional<SaleCommand.OrderCommand> onSettled(PaymentSettled settled, SaleState state, ActorRef<SaleReply> nobody) {
    String attempt = settled.attempt();
    Order order = state.order(settled.orderNo());
    if (order == null || !order.awaits(attempt)) {
      return Optional.empty(); // settled meanwhile (its caller recorded the outcome after all)
    }
    if (settled.failure() != null) {
      retryLater(attempt, settled);
      return Optional.empty();
    }
    failures.remove(attempt);
    return switch (settled.step()) {
      case LOOKED_UP -> afterLookUp(order, attempt, settled.charge(), nobody);
      case REFUNDED -> {
        monitor.settled("refunded");
        yield Optional.of(new SaleCommand.RecordRefund(order.orderNo(), attempt, settled.charge().paymentRef(), nobody));
      }
      case KEY_CLOSED -> {
        monitor.settled("nothing-charged");
        yield Optional.of(new SaleCommand.DeclinePayment(order.orderNo(), attempt, nobody));
      }
    };
  }

  private Optional<SaleCommand.OrderCommand> afterLookUp(Order order, String attempt, Charge charge,
      ActorRef<SaleReply> nobody) {
    switch (charge.status()) {
      case CAPTURED -> {
        if (order.isOpenHold()) {
          monitor.settled("confirmed");
          return Optional.of(new SaleCommand.ConfirmPayment(order.orderNo(), attempt, charge.paymentRef(), nobody));
        }
        call(order.orderNo(), attempt, Step.REFUNDED, gateway.refund(attempt).thenApply(done -> charge));
        return Optional.empty();
      }
      case REFUNDED -> {
        monitor.settled("refunded");
        return Optional.of(new SaleCommand.RecordRefund(order.orderNo(), attempt, charge.paymentRef(), nobody));
      }
      case NONE -> {
        call(order.orderNo(), attempt, Step.KEY_CLOSED, gateway.refund(attempt).thenApply(done -> charge));
        return Optional.empty();
      }
      default -> { // DECLINED, VOIDED: nothing was charged, and nothing can be
        monitor.settled("nothing-charged");
        return Optional.of(new SaleCommand.DeclinePayment(order.orderNo(), attempt, nobody));
      }
    }
  }

  /** Calls the gateway for {@code attempt}; the outcome (or a timeout) comes back as a {@link PaymentSettled}. */
  private void call(long orderNo, String attempt, Step step, CompletionStage<Charge> call) {
    // An answer that never comes counts as failed after the timeout; a lost PaymentSettled after three.
    busyUntil.put(attempt, System.nanoTime() + 3 * callTimeout.toNanos());
    context.pipeToSelf(call.toCompletableFuture().orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS),
        (charge, failure) -> new PaymentSettled(orderNo, attempt, step, charge, failure));
  }

  private void retryLater(String attempt, PaymentSettled settled) {
    int failed = failures.merge(attempt, 1, Integer::sum);
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failed - 1, 5));
    if (wait.compareTo(LAST_RETRY) > 0) {
      wait = LAST_RETRY;
    }
    busyUntil.put(attempt, System.nanoTime() + wait.toNanos());
    monitor.settlementFailed();
    log.warn("Settling payment attempt {} of order {}: the gateway call ({}) failed ({}); trying again in {} s",
        attempt, settled.orderNo(), settled.step(), settled.failure().toString(), wait.toSeconds());
  }
}
