package com.flashsale.payment;

import java.math.BigDecimal;
import java.util.concurrent.CompletionStage;

/** The payment provider, called outside the sale entity (DESIGN.md rule 9). */
public interface PaymentGateway {

  sealed interface Outcome {}

  record Approved(String paymentRef) implements Outcome {}

  record Declined(String reason) implements Outcome {}

  /** Charges {@code amount} for {@code orderId} with the buyer's card token. */
  CompletionStage<Outcome> charge(String orderId, BigDecimal amount, String paymentToken);

  /** Gives back an approved charge whose hold was gone by the time it was confirmed. */
  CompletionStage<Void> refund(String paymentRef);
}
