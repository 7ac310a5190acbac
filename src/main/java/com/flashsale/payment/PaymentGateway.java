package com.flashsale.payment;

import java.math.BigDecimal;
import java.util.concurrent.CompletionStage;

/**
 * The payment provider, called outside the sale entity (docs/architecture.md rule 9). Every payment attempt has a key
 * (its id, written to the sale's events before the first call), so that no call is ever ambiguous for
 * long: a call whose answer was lost is looked up by its key, and a key can be closed so that a charge
 * still on its way is refused.
 */
public interface PaymentGateway {

  sealed interface Outcome {}

  record Approved(String paymentRef) implements Outcome {}

  record Declined(String reason) implements Outcome {}

  /** What the gateway holds under a key. */
  enum ChargeStatus {
    /** Nothing ever reached the gateway under this key. */
    NONE,
    DECLINED,
    CAPTURED,
    REFUNDED,
    /** Closed by {@link #refund} before any charge: a charge under this key is declined. */
    VOIDED
  }

  /** {@code paymentRef} is set for CAPTURED and REFUNDED. */
  record Charge(ChargeStatus status, String paymentRef) {}

  /**
   * Charges {@code amount} for {@code orderId} with the buyer's card token, at most once per key: the same
   * key again answers the first call's outcome and charges nothing more.
   */
  CompletionStage<Outcome> charge(String key, String orderId, BigDecimal amount, String paymentToken);

  /** The charge made under {@code key}, as the gateway has it now. */
  CompletionStage<Charge> lookUp(String key);

  /**
   * Gives back the charge made under {@code key}; doing it again changes nothing. A key under which nothing
   * was charged is closed instead, so that a charge arriving later under it is declined.
   */
  CompletionStage<Void> refund(String key);
}
