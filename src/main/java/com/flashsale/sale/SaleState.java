package com.flashsale.sale;

import com.flashsale.sale.SaleEvent.HoldsExpired;
import com.flashsale.sale.SaleEvent.HoldsTaken;
import com.flashsale.sale.SaleEvent.OrderCancelled;
import com.flashsale.sale.SaleEvent.OrderConfirmed;
import com.flashsale.sale.SaleEvent.PaymentDeclined;
import com.flashsale.sale.SaleEvent.PaymentRefunded;
import com.flashsale.sale.SaleEvent.PaymentStarted;
import com.flashsale.sale.SaleEvent.SaleCancelled;
import com.flashsale.sale.SaleEvent.SaleCreated;
import com.flashsale.sale.SaleEvent.SaleRescheduled;
import com.flashsale.sale.SaleEvent.StockAdded;
import com.flashsale.sale.SaleEvent.UnitsReserved;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The state of one sale: its terms, exact unit counts and the orders that hold its units, were paid, or have a
 * payment attempt in doubt. Mutable for speed (a flash sale applies thousands of holds a second to maps of up
 * to a million orders), changed only by {@link #apply}. Its size is O(stock), whatever buyers do: a rejected
 * attempt leaves no trace here, a released order (cancelled or expired, no payment in doubt) leaves it with its
 * Idempotency-Key (the journal and the read model keep it), an order takes one key, and what a buyer may repeat
 * is bounded ({@link SaleSettings.BuyerBounds}). Beyond the orders it keeps one count per buyer who cancelled.
 *
 * <p>Each incarnation of the entity builds a state object of its own ({@link #blank}), so that nothing
 * of a write that failed survives into the replay that follows it.
 */
final class SaleState {

  private final String saleId;
  /** The never-changed empty state Akka starts every recovery from; see {@link #blank}. */
  private final boolean blank;
  private String productId;
  private BigDecimal price;
  private int stock;
  private Instant startsAt;
  private Instant endsAt;
  private int perUserLimit;
  private int holdSeconds;
  private boolean created;
  private boolean cancelled;
  private int available;
  private int reserved;
  private int confirmed;
  private int released;
  private long lastOrderNo;
  /** The waiting room, or null; and how far it admitted (see {@link RoomProgress}). */
  private RoomTerms room;
  private RoomProgress progress = RoomProgress.NONE;

  private final Map<Long, Order> orders = new HashMap<>();
  /** RESERVED orders, in expiry order. */
  private final OpenHolds openHolds = new OpenHolds(orders);
  /** Orders with a payment attempt in doubt (its outcome not recorded), which the sale settles. */
  private final LinkedHashSet<Long> paymentsInDoubt = new LinkedHashSet<>();
  private final Map<String, List<Long>> ordersByUser = new HashMap<>();
  private final Map<String, Long> ordersByIdempotencyKey = new HashMap<>();
  /** Keys bound to an order of another quantity than their request's ({@link SaleEvent.IdempotencyKeyBound}). */
  private final Map<String, Integer> requestedQuantities = new HashMap<>();
  /** The terms the sale was created with: a retried create with the same Idempotency-Key must match them. */
  private SaleTerms createdWith;
  /** The admin changes made with an Idempotency-Key, by key. */
  private final Map<String, SaleEvent.ChangeKeyBound> changesByKey = new HashMap<>();
  /** Holds each buyer cancelled, for {@link SaleSettings.BuyerBounds#maxCancellations()}. */
  private final Map<String, Integer> cancellationsByUser = new HashMap<>();

  private SaleState(String saleId, boolean blank) {
    this.saleId = saleId;
    this.blank = blank;
  }

  /**
   * The empty state of a sale, for the entity to hand to Akka. Akka evaluates the empty state once per
   * actor and starts every recovery from that same object, the replay after a failed write included; and it
   * applies a write's events to the running state before the write completes. A state mutated in place from
   * that object would therefore carry a failed write's events into the replay: units counted twice after
   * a dropped database connection (SaleFailedWriteTest). So this object is never changed: the
   * first event applied to it yields a new state, and each incarnation builds its own from the journal.
   */
  static SaleState blank(String saleId) {
    return new SaleState(saleId, true);
  }

  // ---- applying events (no decisions, no clock) ----

  SaleState apply(SaleEvent event) {
    if (blank) {
      return new SaleState(saleId, false).apply(event);
    }
    if (event instanceof UnitsReserved e) {
      index(new Order(e.orderNo(), e.userId(), e.quantity(), e.idempotencyKey(), e.reservedAt(), e.expiresAt()));
      lastOrderNo = Math.max(lastOrderNo, e.orderNo());
      if (room != null) {
        progress = progress.withPurchase(); // while a sale has a room, only admitted buyers reach a hold
      }
    } else if (event instanceof HoldsTaken e) {
      e.reservations().forEach(this::apply);
    } else if (event instanceof SaleEvent.IdempotencyKeyBound e) {
      Order order = orders.get(e.orderNo());
      if (order == null) {
        return this; // released since, in a journal written before released orders left the state
      }
      String key = idempotencyIndexKey(e.userId(), e.idempotencyKey());
      ordersByIdempotencyKey.put(key, e.orderNo());
      if (order.idempotencyKey() == null) {
        orders.put(order.orderNo(), order.withKey(e.idempotencyKey()));
      }
      if (e.quantity() != null && e.quantity() != order.quantity()) {
        requestedQuantities.put(key, e.quantity());
      }
    } else if (event instanceof SaleEvent.ChangeKeyBound e) {
      changesByKey.put(e.idempotencyKey(), e);
    } else if (event instanceof PaymentStarted e) {
      orders.computeIfPresent(e.orderNo(), (no, o) -> o.paymentStarted(e.attempt(), e.at()));
      if (e.attempt() != null) {
        paymentsInDoubt.add(e.orderNo());
      }
    } else if (event instanceof PaymentDeclined e) {
      endPayment(e.orderNo(), PaymentStatus.DECLINED, null);
    } else if (event instanceof PaymentRefunded e) {
      endPayment(e.orderNo(), PaymentStatus.REFUNDED, e.paymentRef());
    } else if (event instanceof OrderConfirmed e) {
      Order order = orders.get(e.orderNo());
      if (order == null) {
        // Only a journal written before failed writes left no trace could confirm an order it never held.
        return this;
      }
      closeHold(order);
      orders.put(order.orderNo(), order.confirmed(e.paymentRef()));
      paymentsInDoubt.remove(order.orderNo());
      confirmed += order.quantity();
    } else if (event instanceof OrderCancelled e) {
      Order order = orders.get(e.orderNo());
      if (release(e.orderNo(), OrderStatus.CANCELLED) && e.admin() == null) {
        cancellationsByUser.merge(order.userId(), 1, Integer::sum);
      }
    } else if (event instanceof HoldsExpired e) {
      e.orderNos().forEach(no -> release(no, OrderStatus.EXPIRED));
    } else if (event instanceof StockAdded e) {
      stock += e.units();
      available += e.units();
    } else if (event instanceof SaleRescheduled e) {
      startsAt = e.startsAt();
      endsAt = e.endsAt();
    } else if (event instanceof SaleCancelled e) {
      cancelled = true;
      e.releasedOrderNos().forEach(no -> release(no, OrderStatus.CANCELLED));
    } else if (event instanceof SaleEvent.AdmissionAdvanced e) {
      progress = progress.advanced(e);
    } else if (event instanceof SaleEvent.RoomChanged e) {
      room = e.room();
    } else if (event instanceof SaleCreated e) {
      created = true;
      productId = e.productId();
      price = e.price();
      stock = e.stock();
      available = e.stock();
      startsAt = e.startsAt();
      endsAt = e.endsAt();
      perUserLimit = e.perUserLimit();
      holdSeconds = e.holdSeconds();
      room = e.room();
      createdWith = new SaleTerms(productId, price, stock, startsAt, endsAt, perUserLimit, holdSeconds, room);
    }
    return this;
  }

  private void index(Order order) {
    orders.put(order.orderNo(), order);
    ordersByUser.computeIfAbsent(order.userId(), u -> new ArrayList<>(1)).add(order.orderNo());
    if (order.idempotencyKey() != null) {
      ordersByIdempotencyKey.put(idempotencyIndexKey(order.userId(), order.idempotencyKey()), order.orderNo());
    }
    if (order.isOpenHold()) {
      openHolds.add(order.orderNo());
      available -= order.quantity();
      reserved += order.quantity();
    }
    if (order.paymentAttempt() != null) {
      paymentsInDoubt.add(order.orderNo());
    }
  }

  private void endPayment(long orderNo, PaymentStatus outcome, String paymentRef) {
    Order order = orders.computeIfPresent(orderNo, (no, o) -> o.paymentEnded(outcome, paymentRef));
    paymentsInDoubt.remove(orderNo);
    if (order != null && order.isFinishedRelease()) {
      drop(order);
    }
  }

  private void closeHold(Order order) {
    openHolds.remove(order.orderNo());
    reserved -= order.quantity();
  }

  /** Releases an open hold's units; whether it was one. */
  private boolean release(long orderNo, OrderStatus outcome) {
    Order order = orders.get(orderNo);
    if (order == null || !order.isOpenHold()) {
      return false;
    }
    closeHold(order);
    available += order.quantity();
    released += order.quantity();
    Order releasedOrder = order.withStatus(outcome);
    if (releasedOrder.isFinishedRelease()) {
      drop(releasedOrder);
    } else {
      orders.put(orderNo, releasedOrder); // until its payment attempt is settled
    }
    return true;
  }

  /** A released order leaves the state, and its Idempotency-Key with it. */
  private void drop(Order order) {
    orders.remove(order.orderNo());
    List<Long> ofUser = ordersByUser.get(order.userId());
    if (ofUser != null) {
      ofUser.remove(order.orderNo());
      if (ofUser.isEmpty()) {
        ordersByUser.remove(order.userId());
      }
    }
    if (order.idempotencyKey() != null) {
      String key = idempotencyIndexKey(order.userId(), order.idempotencyKey());
      ordersByIdempotencyKey.remove(key, order.orderNo());
      requestedQuantities.remove(key);
    }
  }

  /** How a buyer's Idempotency-Key is indexed (also in snapshots). */
  static String idempotencyIndexKey(String userId, String key) {
    return userId + '\n' + key;
  }

  // ---- queries used by the entity's decisions ----

  String saleId() {
    return saleId;
  }

  boolean isCreated() {
    return created;
  }

  boolean isCancelled() {
    return cancelled;
  }

  /** Orders a snapshot holds: open, paid, or released with a payment in doubt. */
  int orderCount() {
    return orders.size();
  }

  /**
   * Whether the sale made this order and has released it since (a released order leaves the state: only its
   * number tells it existed).
   */
  boolean wasReleased(long orderNo) {
    return orderNo >= 1 && orderNo <= lastOrderNo && !orders.containsKey(orderNo);
  }

  /** Holds the buyer cancelled in this sale. */
  int cancellationsOf(String userId) {
    return cancellationsByUser.getOrDefault(userId, 0);
  }

  int available() {
    return available;
  }

  int reserved() {
    return reserved;
  }

  RoomTerms room() {
    return room;
  }

  RoomProgress progress() {
    return progress;
  }

  int stock() {
    return stock;
  }

  Instant startsAt() {
    return startsAt;
  }

  Instant endsAt() {
    return endsAt;
  }

  int perUserLimit() {
    return perUserLimit;
  }

  int holdSeconds() {
    return holdSeconds;
  }

  long nextOrderNo() {
    return lastOrderNo + 1;
  }

  Order order(long orderNo) {
    return orders.get(orderNo);
  }

  Order orderByIdempotencyKey(String userId, String key) {
    Long no = ordersByIdempotencyKey.get(idempotencyIndexKey(userId, key));
    return no == null ? null : orders.get(no);
  }

  /** The quantity the first request with this key asked for (its order's, unless bound to an existing hold). */
  int requestedQuantity(String userId, String key, Order order) {
    return requestedQuantities.getOrDefault(idempotencyIndexKey(userId, key), order.quantity());
  }

  SaleTerms createdWith() {
    return createdWith;
  }

  /** The change made with this Idempotency-Key, or null. */
  SaleEvent.ChangeKeyBound changeByKey(String key) {
    return changesByKey.get(key);
  }

  /** The numbers of the buyer's orders, oldest first. */
  List<Long> orderNosOf(String userId) {
    return ordersByUser.getOrDefault(userId, List.of());
  }

  OpenHolds openHolds() {
    return openHolds;
  }

  /** The orders with a payment attempt in doubt, oldest attempt first. */
  List<Order> paymentsInDoubt() {
    List<Order> inDoubt = new ArrayList<>(paymentsInDoubt.size());
    paymentsInDoubt.forEach(no -> inDoubt.add(orders.get(no)));
    return inDoubt;
  }

  SaleStatus statusAt(Instant now) {
    return SaleStatus.at(now, cancelled, startsAt, endsAt, available);
  }

  // ---- views ----

  SaleView view(Instant now) {
    return new SaleView(saleId, productId, price, stock, available, reserved, confirmed, released, statusAt(now),
        startsAt, endsAt, perUserLimit, holdSeconds, room);
  }

  OrderView view(Order order) {
    BigDecimal total = price.multiply(BigDecimal.valueOf(order.quantity()));
    return new OrderView(saleId + "-" + order.orderNo(), saleId, order.userId(), order.quantity(), price, total,
        order.status(), order.reservedAt(), order.expiresAt(), order.paymentRef(), order.paymentStatus());
  }

  // ---- snapshots ----

  SaleSnapshot toSnapshot() {
    return new SaleSnapshot(saleId, created, productId, price, stock, startsAt, endsAt, perUserLimit, holdSeconds, cancelled,
        available, confirmed, released, lastOrderNo, List.copyOf(orders.values()), Map.copyOf(ordersByIdempotencyKey),
        Map.copyOf(requestedQuantities), createdWith, Map.copyOf(changesByKey), Map.copyOf(cancellationsByUser), room, progress);
  }

  static SaleState fromSnapshot(SaleSnapshot s) {
    SaleState state = new SaleState(s.saleId(), false);
    state.created = s.created();
    state.productId = s.productId();
    state.price = s.price();
    state.startsAt = s.startsAt();
    state.endsAt = s.endsAt();
    state.perUserLimit = s.perUserLimit();
    state.holdSeconds = s.holdSeconds();
    state.cancelled = s.cancelled();
    state.lastOrderNo = s.lastOrderNo();
    // Snapshots written before released orders left the state hold them: they leave now.
    s.orders().stream().filter(o -> !o.isFinishedRelease()).sorted(Comparator.comparingLong(Order::orderNo))
        .forEach(state::index);
    s.ordersByIdempotencyKey().forEach((key, no) -> {
      if (state.orders.containsKey(no)) {
        state.ordersByIdempotencyKey.put(key, no);
      }
    });
    // Snapshots written before these were recorded hold none of them.
    if (s.requestedQuantities() != null) {
      s.requestedQuantities().forEach((key, quantity) -> {
        if (state.ordersByIdempotencyKey.containsKey(key)) {
          state.requestedQuantities.put(key, quantity);
        }
      });
    }
    if (s.cancellationsByUser() != null) {
      state.cancellationsByUser.putAll(s.cancellationsByUser());
    }
    if (s.changesByKey() != null) {
      state.changesByKey.putAll(s.changesByKey());
    }
    state.createdWith = s.createdWith();
    state.room = s.room();
    state.progress = s.progress() != null ? s.progress() : RoomProgress.NONE;
    // index() counted open holds; the totals below are the snapshot's own.
    state.stock = s.stock();
    state.available = s.available();
    state.confirmed = s.confirmed();
    state.released = s.released();
    return state;
  }
}
