package com.flashsale.order;

import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.payment.PaymentGateway;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.OrderView;
import com.flashsale.sale.SaleClient;
import com.flashsale.sale.SaleCommand;
import com.flashsale.sale.SaleReply;
import com.flashsale.sale.SaleReply.OrderDetails;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Paying for a hold (docs/architecture.md rule 9): the entity records a payment attempt (a new id, which is the
 * gateway's idempotency key) before the gateway is called outside the entity, then the entity records the
 * outcome. A unit is never confirmed without a captured charge. Whatever this node does not get to record
 * (it dies, the gateway or the entity does not answer in time, the hold is gone when the charge comes) stays
 * an attempt in doubt, which the sale entity settles itself: by the attempt's key it finds the charge and
 * confirms the order with it or gives it back, or closes the key. The buyer is told 503 meanwhile, and a
 * later pay answers the settled order.
 */
public final class Checkout {

  /** Recording an outcome is idempotent (same attempt, same charge), so a timed-out one is simply sent again. */
  static final int RECORD_ATTEMPTS = 4;

  private final SaleClient sales;
  private final PaymentGateway gateway;
  private final Duration callTimeout;

  public Checkout(SaleClient sales, PaymentGateway gateway, Duration callTimeout) {
    this.sales = sales;
    this.gateway = gateway;
    this.callTimeout = callTimeout;
  }

  /** The paid order, or why not (declined, the hold is gone, the outcome is not known yet: retry). */
  public CompletionStage<Outcome<OrderView>> pay(OrderId id, String userId, String paymentToken) {
    String attempt = UUID.randomUUID().toString();
    return sales.order(id.saleId(), replyTo -> new SaleCommand.BeginPayment(id.orderNo(), userId, attempt,
            sales.deadline(), replyTo))
        .thenCompose(reply -> reply instanceof OrderDetails alreadyPaid
            ? CompletableFuture.completedFuture(Outcome.ok(alreadyPaid.order()))
            : SaleClient.expect(reply, SaleReply.ReadyToPay.class)
                .thenCompose(ready -> charge(id, attempt, ready.order(), paymentToken)));
  }

  private CompletionStage<Outcome<OrderView>> charge(OrderId id, String attempt, OrderView order, String paymentToken) {
    return gateway.charge(attempt, order.id(), order.total(), paymentToken).toCompletableFuture()
        .orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((charged, failure) -> {
          if (failure != null) {
            return CompletableFuture.completedFuture(Outcome.<OrderView>rejected(ErrorCode.OVERLOADED,
                "The payment's outcome is not known yet; it is being settled, retry shortly"));
          }
          if (charged instanceof PaymentGateway.Approved approved) {
            return confirm(id, attempt, approved.paymentRef(), 1);
          }
          return declined(id, attempt, order, ((PaymentGateway.Declined) charged).reason());
        })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<Outcome<OrderView>> confirm(OrderId id, String attempt, String paymentRef, int tries) {
    return sales.order(id.saleId(), replyTo -> new SaleCommand.ConfirmPayment(id.orderNo(), attempt, paymentRef, replyTo))
        .handle((reply, failure) -> {
          boolean unanswered = failure != null
              || (reply instanceof SaleReply.Rejected rejected && rejected.code() == ErrorCode.OVERLOADED);
          if (unanswered) {
            return tries < RECORD_ATTEMPTS ? confirm(id, attempt, paymentRef, tries + 1)
                : CompletableFuture.completedFuture(Outcome.<OrderView>rejected(ErrorCode.OVERLOADED,
                    "The payment was approved and is being recorded; retry shortly"));
          }
          return CompletableFuture.completedFuture(SaleClient.expect(reply, OrderDetails.class).map(OrderDetails::order));
        })
        .thenCompose(stage -> stage);
  }

  /** Records the decline (if that fails, the sale settles the attempt as charging nothing) and answers 402. */
  private CompletionStage<Outcome<OrderView>> declined(OrderId id, String attempt, OrderView order, String reason) {
    return sales.order(id.saleId(), replyTo -> new SaleCommand.DeclinePayment(id.orderNo(), attempt, replyTo))
        .handle((recorded, failure) -> Outcome.rejected(ErrorCode.PAYMENT_DECLINED,
            reason + "; the hold stays until " + order.expiresAt()));
  }
}
