package com.flashsale.payment;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped gateway: a token starting with {@code decline} is declined, anything else approved,
 * after a configurable delay. Charges and refunds are remembered so tests can see them.
 */
public final class SimulatedPaymentGateway implements PaymentGateway {

  private static final Logger log = LoggerFactory.getLogger(SimulatedPaymentGateway.class);

  private final Executor delayed;
  private final List<String> charges = new CopyOnWriteArrayList<>();
  private final List<String> refunds = new CopyOnWriteArrayList<>();

  public SimulatedPaymentGateway(Duration delay) {
    this.delayed = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<Outcome> charge(String orderId, BigDecimal amount, String paymentToken) {
    charges.add(orderId);
    return CompletableFuture.supplyAsync(() -> paymentToken.startsWith("decline")
        ? new Declined("The card was declined")
        : new Approved("sim-" + UUID.randomUUID()), delayed);
  }

  @Override
  public CompletionStage<Void> refund(String paymentRef) {
    log.info("Refunded payment {}: its hold was gone before it could be confirmed", paymentRef);
    refunds.add(paymentRef);
    return CompletableFuture.completedFuture(null);
  }

  /** The order ids charged so far, in order. */
  public List<String> charges() {
    return List.copyOf(charges);
  }

  public List<String> refunds() {
    return List.copyOf(refunds);
  }
}
