package com.flashsale.sale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A sale's open holds in reservation order, which is also expiry order (a sale's hold time is fixed), and when
 * each must be released: at its expiry, or at the end of the payment grace while it is being paid. Part of
 * {@link SaleState}, which adds and removes holds as events apply; it reads the orders from the state's own map.
 */
final class OpenHolds {

  private final LinkedHashSet<Long> orderNos = new LinkedHashSet<>();
  private final Map<Long, Order> orders;

  OpenHolds(Map<Long, Order> orders) {
    this.orders = orders;
  }

  void add(long orderNo) {
    orderNos.add(orderNo);
  }

  void remove(long orderNo) {
    orderNos.remove(orderNo);
  }

  /** The open holds' order numbers, oldest first. */
  List<Long> orderNos() {
    return List.copyOf(orderNos);
  }

  /** When a hold stops being protected: its expiry, or the end of the payment grace if it is being paid. */
  static Instant releaseDeadline(Order order, Duration paymentGrace) {
    if (order.paymentStartedAt() == null) {
      return order.expiresAt();
    }
    Instant graceEnd = order.paymentStartedAt().plus(paymentGrace);
    return graceEnd.isAfter(order.expiresAt()) ? graceEnd : order.expiresAt();
  }

  /** Whether some open hold is due for release at {@code now} (see {@link #dueAt}). */
  boolean anyDueAt(Instant now, Duration paymentGrace) {
    for (long no : orderNos) {
      Order order = orders.get(no);
      if (order.expiresAt().isAfter(now)) {
        return false;
      }
      if (!releaseDeadline(order, paymentGrace).isAfter(now)) {
        return true;
      }
    }
    return false;
  }

  /** The open holds due for release at {@code now}, in order. */
  List<Long> dueAt(Instant now, Duration paymentGrace) {
    List<Long> due = new ArrayList<>();
    for (long no : orderNos) {
      Order order = orders.get(no);
      if (order.expiresAt().isAfter(now)) {
        break; // expiry order: every later hold expires later still
      }
      if (!releaseDeadline(order, paymentGrace).isAfter(now)) {
        due.add(no);
      }
    }
    return due;
  }

  /** The earliest instant at which some open hold becomes due, or null if none is open. */
  Instant nextDeadline(Duration paymentGrace) {
    Instant next = null;
    for (long no : orderNos) {
      Order order = orders.get(no);
      if (next != null && order.expiresAt().isAfter(next)) {
        break;
      }
      Instant deadline = releaseDeadline(order, paymentGrace);
      if (next == null || deadline.isBefore(next)) {
        next = deadline;
      }
    }
    return next;
  }
}
