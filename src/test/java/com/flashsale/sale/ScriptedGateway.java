package com.flashsale.sale;

import com.flashsale.payment.PaymentGateway;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A payment gateway for entity specifications: the {@link PaymentGateway} contract over an in-memory ledger
 * the test reads and arranges (a charge that reached the gateway but whose answer never did, refunds that
 * fail, a gateway that is down). The shipped simulator is specified against PostgreSQL on its own.
 */
final class ScriptedGateway implements PaymentGateway {

  final Map<String, Charge> ledger = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final AtomicInteger refundsToFail = new AtomicInteger();
  volatile boolean down;

  /** A charge under {@code key} reached the gateway (its answer may never have reached the sale). */
  void captured(String key, String paymentRef) {
    ledger.put(key, new Charge(ChargeStatus.CAPTURED, paymentRef));
  }

  Charge chargeUnder(String key) {
    return ledger.getOrDefault(key, new Charge(ChargeStatus.NONE, null));
  }

  @Override
  public CompletionStage<Outcome> charge(String key, String orderId, BigDecimal amount, String paymentToken) {
    calls.add("charge " + key);
    if (down) {
      return CompletableFuture.failedFuture(new IllegalStateException("gateway down"));
    }
    Charge charge = ledger.computeIfAbsent(key, k -> paymentToken.startsWith("decline")
        ? new Charge(ChargeStatus.DECLINED, null) : new Charge(ChargeStatus.CAPTURED, "ref-" + k));
    return CompletableFuture.completedFuture(charge.status() == ChargeStatus.CAPTURED
        ? new Approved(charge.paymentRef()) : new Declined("declined"));
  }

  @Override
  public CompletionStage<Charge> lookUp(String key) {
    calls.add("lookUp " + key);
    return down ? CompletableFuture.failedFuture(new IllegalStateException("gateway down"))
        : CompletableFuture.completedFuture(chargeUnder(key));
  }

  @Override
  public CompletionStage<Void> refund(String key) {
    calls.add("refund " + key);
    if (down || refundsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("refund failed"));
    }
    ledger.compute(key, (k, charge) -> charge == null ? new Charge(ChargeStatus.VOIDED, null)
        : charge.status() == ChargeStatus.CAPTURED ? new Charge(ChargeStatus.REFUNDED, charge.paymentRef()) : charge);
    return CompletableFuture.completedFuture(null);
  }
}
