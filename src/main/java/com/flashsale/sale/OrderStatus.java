package com.flashsale.sale;

/** An order is a hold (RESERVED) until it is paid (CONFIRMED) or released (EXPIRED, CANCELLED). */
public enum OrderStatus {
  RESERVED,
  CONFIRMED,
  EXPIRED,
  CANCELLED
}
