package com.flashsale.sale;

/** The outcome of an order's latest payment attempt. */
public enum PaymentStatus {
  /** At the gateway, or its outcome not recorded yet: the sale settles it (docs/architecture.md rule 9). */
  PENDING,
  /** Declined, or nothing was charged (the attempt's key is closed). */
  DECLINED,
  /** Charged, and the order confirmed with it. */
  CAPTURED,
  /** Charged, but the hold was gone, so the charge was given back. */
  REFUNDED
}
