package com.flashsale.order;

import com.flashsale.ErrorCode;
import com.flashsale.http.ApiError;
import com.flashsale.payment.PaymentGateway;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.OrderView;
import com.flashsale.sale.SaleClient;
import com.flashsale.sale.SaleCommand;
import com.flashsale.sale.SaleReply;
import com.flashsale.sale.SaleReply.OrderDetails;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paying for a hold (DESIGN.md rule 9): the entity marks the hold as being paid, the gateway is called
 * outside the entity, then the entity confirms. A unit is never confirmed without an approved payment,
 * and an approval whose hold is gone by then is refunded.
 */
public final class Checkout {

  private static final Logger log = LoggerFactory.getLogger(Checkout.class);
  /** Confirming is idempotent (same payment ref), so a timed-out confirm is simply asked again. */
  static final int CONFIRM_ATTEMPTS = 4;

  private final SaleClient sales;
  private final PaymentGateway gateway;

  public Checkout(SaleClient sales, PaymentGateway gateway) {
    this.sales = sales;
    this.gateway = gateway;
  }

  public CompletionStage<OrderView> pay(OrderId id, String userId, String paymentToken) {
    return sales.order(id.saleId(), replyTo -> new SaleCommand.BeginPayment(id.orderNo(), userId, sales.deadline(), replyTo))
        .thenCompose(reply -> {
          if (reply instanceof OrderDetails alreadyPaid) {
            return CompletableFuture.completedFuture(alreadyPaid.order());
          }
          OrderView order = SaleClient.expect(reply, SaleReply.ReadyToPay.class).order();
          return gateway.charge(order.id(), order.total(), paymentToken).thenCompose(outcome -> {
            if (outcome instanceof PaymentGateway.Approved approved) {
              return confirm(id, approved.paymentRef(), 1);
            }
            return sales.order(id.saleId(), replyTo -> new SaleCommand.DeclinePayment(id.orderNo(), replyTo))
                .thenApply(declined -> {
                  throw new ApiError(ErrorCode.PAYMENT_DECLINED,
                      ((PaymentGateway.Declined) outcome).reason() + "; the hold stays until " + order.expiresAt());
                });
          });
        });
  }

  private CompletionStage<OrderView> confirm(OrderId id, String paymentRef, int attempt) {
    return sales.order(id.saleId(), replyTo -> new SaleCommand.ConfirmPayment(id.orderNo(), paymentRef, replyTo))
        .handle((reply, failure) -> {
          if (failure != null) {
            if (attempt < CONFIRM_ATTEMPTS) {
              return confirm(id, paymentRef, attempt + 1);
            }
            log.error("Payment {} for order {} approved but not confirmed after {} attempts; reconcile it",
                paymentRef, id, attempt);
            return CompletableFuture.<OrderView>failedFuture(failure);
          }
          if (reply instanceof SaleReply.Rejected rejected) {
            return gateway.refund(paymentRef).<OrderView>thenApply(refunded -> {
              throw new ApiError(rejected.code(), rejected.detail() + "; the payment was refunded");
            });
          }
          return CompletableFuture.completedFuture(SaleClient.expect(reply, OrderDetails.class).order());
        })
        .thenCompose(stage -> stage);
  }
}
