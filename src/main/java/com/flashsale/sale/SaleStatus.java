package com.flashsale.sale;

/** What a buyer sees of a sale at a given instant. */
public enum SaleStatus {
  UPCOMING,
  LIVE,
  SOLD_OUT,
  ENDED,
  CANCELLED
}
