package com.flashsale.sale;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleCommand.BeginPayment;
import com.flashsale.sale.SaleCommand.CancelOrder;
import com.flashsale.sale.SaleCommand.ConfirmPayment;
import com.flashsale.sale.SaleCommand.DeclinePayment;
import com.flashsale.sale.SaleCommand.RecordRefund;
import com.flashsale.sale.SaleCommand.Reserve;
import com.flashsale.sale.SaleCommand.WithReply;
import com.flashsale.sale.SaleEvent.HoldsTaken;
import com.flashsale.sale.SaleEvent.UnitsReserved;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides the commands of a buyer's order (reserve, begin / confirm / decline payment, cancel) in
 * arrival order against one state, as if the events of the commands decided before had already been
 * applied (docs/architecture.md rule 3: a batch is decided one by one and written in one go). The state itself is
 * not touched: what this round changes is kept beside it (orders made or changed, units taken and
 * released, Idempotency-Key bindings) until the entity persists {@link #events()}. A single command is
 * a round of one, so both paths share every rule.
 */
final class OrderRound {

  /** What a command's answer is once the round is written. */
  enum Answer { ORDER, NEW_ORDER, READY_TO_PAY }

  /**
   * The outcome of one command: {@code now} is an answer that needs nothing of this round's writes (a
   * rejection, or an order as the journal already has it); otherwise the command is answered, once the
   * round's events are written, with {@code order} as this command left it (a later command of the
   * round may change it again).
   */
  record Decision(SaleReply now, Order order, Answer answer) {

    static Decision answer(SaleReply reply) {
      return new Decision(reply, null, null);
    }

    static Decision afterWrite(Order order, Answer answer) {
      return new Decision(null, order, answer);
    }

    boolean isImmediate() {
      return now != null;
    }

    /** The answer once the round's events are written to {@code written}. */
    SaleReply afterWrite(SaleState written) {
      OrderView view = written.view(order);
      return answer == Answer.READY_TO_PAY ? new SaleReply.ReadyToPay(view)
          : new OrderDetails(view, answer == Answer.NEW_ORDER);
    }
  }

  private final SaleState state;
  private final Instant now;
  private final Duration paymentGrace;
  private final SaleSettings.BuyerBounds bounds;
  private final List<SaleEvent> events = new ArrayList<>();
  /** Orders made or changed in this round, as they will be once written. */
  private final Map<Long, Order> changed = new HashMap<>();
  private final Map<String, List<Long>> newOrdersByUser = new HashMap<>();
  private final Map<String, Long> newKeys = new HashMap<>();
  /** Keys this round bound to an order of another quantity, and the quantity their request asked for. */
  private final Map<String, Integer> newKeyQuantities = new HashMap<>();
  /** Holds each buyer cancelled in this round. */
  private final Map<String, Integer> newCancellations = new HashMap<>();
  private long nextOrderNo;
  private int unitsTaken;
  private int unitsReleased;

  OrderRound(SaleState state, Instant now, SaleSettings settings) {
    this.state = state;
    this.now = now;
    this.paymentGrace = settings.paymentGrace();
    this.bounds = settings.buyerBounds();
    this.nextOrderNo = state.nextOrderNo();
  }

  /**
   * The events to persist, in decision order, each run of two or more consecutive reservations as one
   * {@link HoldsTaken}; empty when every command was answered at once.
   */
  List<SaleEvent> events() {
    List<SaleEvent> grouped = new ArrayList<>(events.size());
    List<UnitsReserved> run = new ArrayList<>();
    for (SaleEvent event : events) {
      if (event instanceof UnitsReserved reserved) {
        run.add(reserved);
      } else {
        endRun(run, grouped);
        grouped.add(event);
      }
    }
    endRun(run, grouped);
    return grouped;
  }

  /** Every reservation of a round is made at {@code now}, so a run shares its times. */
  private void endRun(List<UnitsReserved> run, List<SaleEvent> grouped) {
    if (run.size() == 1) {
      grouped.add(run.get(0));
    } else if (run.size() > 1) {
      grouped.add(new HoldsTaken(now, expiresAt(), run.stream()
          .map(r -> new HoldsTaken.Hold(r.orderNo(), r.userId(), r.quantity(), r.idempotencyKey())).toList()));
    }
    run.clear();
  }

  private Instant expiresAt() {
    return now.plusSeconds(state.holdSeconds());
  }

  Decision decide(WithReply cmd) {
    if (cmd instanceof SaleCommand.Deadlined request && Deadlines.passed(request)) {
      return Decision.answer(Deadlines.TOO_LATE);
    }
    if (cmd instanceof Reserve reserve) {
      return reserve(reserve);
    } else if (cmd instanceof BeginPayment begin) {
      return beginPayment(begin);
    } else if (cmd instanceof ConfirmPayment confirm) {
      return confirmPayment(confirm);
    } else if (cmd instanceof DeclinePayment decline) {
      return declinePayment(decline);
    } else if (cmd instanceof RecordRefund refund) {
      return recordRefund(refund);
    } else if (cmd instanceof CancelOrder cancel) {
      return cancelOrder(cancel);
    }
    throw new IllegalArgumentException("Not an order command: " + cmd.getClass().getSimpleName());
  }

  /**
   * A purchase attempt. A retry (same Idempotency-Key, or a buyer who already holds a unit) gets the
   * existing order back, and a new key names that hold only if it has none yet; otherwise the sale must be
   * open, the quantity allowed, the buyer under the limit and the cancellation bound, and enough units left
   * after the commands decided before it.
   */
  static final String NOT_ADMITTED =
      "This sale has a waiting room: join it, and buy with the admission pass it gives you";

  private Decision reserve(Reserve cmd) {
    String key = cmd.idempotencyKey();
    if (key != null) {
      Order prior = orderByKey(cmd.userId(), key);
      if (prior != null) {
        int requested = requestedQuantity(cmd.userId(), key, prior);
        return requested == cmd.quantity()
            ? existing(prior)
            : reject(ErrorCode.IDEMPOTENCY_MISMATCH,
                "This Idempotency-Key was used for a purchase of " + requested + " unit(s)");
      }
    }
    Order hold = Order.openHold(ordersOf(cmd.userId()));
    if (hold != null && key != null && hold.idempotencyKey() == null) {
      events.add(new SaleEvent.IdempotencyKeyBound(hold.orderNo(), cmd.userId(), key, cmd.quantity(), now));
      newKeys.put(indexKey(cmd.userId(), key), hold.orderNo());
      newKeyQuantities.put(indexKey(cmd.userId(), key), cmd.quantity());
      Order keyed = hold.withKey(key);
      changed.put(keyed.orderNo(), keyed);
      return Decision.afterWrite(keyed, Answer.ORDER);
    }
    if (hold != null) {
      return existing(hold);
    }
    Rejected closed = state.statusAt(now).closedForPurchase(state.startsAt(), state.endsAt());
    if (closed != null) {
      return Decision.answer(closed);
    }
    if (state.room() != null && !cmd.admitted()) {
      return reject(ErrorCode.NOT_ADMITTED, NOT_ADMITTED);
    }
    if (cmd.quantity() < 1 || cmd.quantity() > state.perUserLimit()) {
      return reject(ErrorCode.VALIDATION, "quantity must be between 1 and " + state.perUserLimit());
    }
    if (Order.unitsTaken(ordersOf(cmd.userId())) + cmd.quantity() > state.perUserLimit()) {
      return reject(ErrorCode.LIMIT_REACHED, "At most " + state.perUserLimit() + " unit(s) per buyer");
    }
    if (cancellationsOf(cmd.userId()) >= bounds.maxCancellations()) {
      return reject(ErrorCode.TOO_MANY_ATTEMPTS,
          "You cancelled " + bounds.maxCancellations() + " hold(s) in this sale; it takes no more purchases from you");
    }
    if (state.available() - unitsTaken + unitsReleased < cmd.quantity()) {
      return Decision.answer(SaleStatus.NO_UNIT_LEFT);
    }
    long orderNo = nextOrderNo++;
    var reserved = new UnitsReserved(orderNo, cmd.userId(), cmd.quantity(), key, now, expiresAt());
    events.add(reserved);
    unitsTaken += cmd.quantity();
    Order order = new Order(orderNo, cmd.userId(), cmd.quantity(), key, now, reserved.expiresAt());
    changed.put(orderNo, order);
    newOrdersByUser.computeIfAbsent(cmd.userId(), u -> new ArrayList<>(1)).add(orderNo);
    if (key != null) {
      newKeys.put(indexKey(cmd.userId(), key), orderNo);
    }
    return Decision.afterWrite(order, Answer.NEW_ORDER);
  }

  /**
   * The buyer is about to pay: record the attempt (its key at the gateway) before the gateway is called, so
   * that its outcome can always be found out. One attempt at a time: while one is in doubt another is
   * refused (503), and the sale settles the first by itself if its caller never records the outcome.
   */
  private Decision beginPayment(BeginPayment cmd) {
    Order order = order(cmd.orderNo());
    if (order == null) {
      return missing(cmd.orderNo(), "");
    }
    Rejected notTheirs = order.refusalFor(cmd.userId(), false);
    if (notTheirs != null) {
      return Decision.answer(notTheirs);
    }
    return switch (order.status()) {
      case CONFIRMED -> existing(order);
      case EXPIRED -> reject(ErrorCode.RESERVATION_EXPIRED, "The hold expired at " + order.expiresAt());
      case CANCELLED -> releasedOrderRejection();
      case RESERVED -> {
        if (order.awaits(cmd.attempt())) {
          yield changed.containsKey(order.orderNo()) ? Decision.afterWrite(order, Answer.READY_TO_PAY)
              : Decision.answer(new SaleReply.ReadyToPay(state.view(order)));
        }
        if (paymentInProgress(order)) {
          yield reject(ErrorCode.OVERLOADED, "A payment for this order is in progress; retry shortly");
        }
        if (!now.isBefore(order.expiresAt())) {
          yield reject(ErrorCode.RESERVATION_EXPIRED, "The hold expired at " + order.expiresAt());
        }
        if (order.paymentAttempts() >= bounds.maxPaymentAttempts()) {
          yield reject(ErrorCode.TOO_MANY_ATTEMPTS, "This order made " + order.paymentAttempts()
              + " payment attempts, the most it may; the hold stays until " + order.expiresAt());
        }
        yield change(new SaleEvent.PaymentStarted(order.orderNo(), now, cmd.attempt()),
            order.paymentStarted(cmd.attempt(), now), Answer.READY_TO_PAY);
      }
    };
  }

  /**
   * An attempt in doubt. (One recorded before attempts had keys cannot be looked up: it blocks others only
   * for the payment grace, as then.)
   */
  private boolean paymentInProgress(Order order) {
    if (order.paymentStatus() != PaymentStatus.PENDING) {
      return false;
    }
    return order.paymentAttempt() != null || now.isBefore(order.paymentStartedAt().plus(paymentGrace));
  }

  /** Whether {@code attempt} is the order's attempt in doubt (or, for one without a key, any attempt). */
  private static boolean awaits(Order order, String attempt) {
    return order.awaits(attempt) || (order.paymentStatus() == PaymentStatus.PENDING && order.paymentAttempt() == null);
  }

  /**
   * The gateway captured the attempt's charge. The unit is confirmed only while the hold is there; otherwise
   * the attempt stays in doubt and the sale settles it (gives the charge back).
   */
  private Decision confirmPayment(ConfirmPayment cmd) {
    Order order = order(cmd.orderNo());
    if (order == null) {
      return missing(cmd.orderNo(), "; the payment is given back");
    }
    return switch (order.status()) {
      case RESERVED -> awaits(order, cmd.attempt())
          ? change(new SaleEvent.OrderConfirmed(order.orderNo(), cmd.paymentRef(), now, cmd.attempt()),
              order.confirmed(cmd.paymentRef()), Answer.ORDER)
          : reject(ErrorCode.OVERLOADED, "This payment attempt was settled already");
      case CONFIRMED -> cmd.paymentRef().equals(order.paymentRef())
          ? existing(order)
          : reject(ErrorCode.ALREADY_CONFIRMED, "The order was already paid");
      case EXPIRED -> reject(ErrorCode.RESERVATION_EXPIRED,
          "The hold expired at " + order.expiresAt() + "; the payment is given back");
      case CANCELLED -> state.isCancelled()
          ? reject(ErrorCode.SALE_CANCELLED, "The sale was cancelled; the payment is given back")
          : reject(ErrorCode.RESERVATION_EXPIRED, "The order was cancelled; the payment is given back");
    };
  }

  /** The attempt charged nothing: the hold stays, and expires at its own time. */
  private Decision declinePayment(DeclinePayment cmd) {
    Order order = order(cmd.orderNo());
    if (order == null) {
      return missing(cmd.orderNo(), "");
    }
    if (!awaits(order, cmd.attempt())) {
      return existing(order);
    }
    return change(new SaleEvent.PaymentDeclined(order.orderNo(), now, cmd.attempt()),
        order.paymentEnded(PaymentStatus.DECLINED, null), Answer.ORDER);
  }

  /** The attempt's charge was given back (the hold was gone when it came). */
  private Decision recordRefund(RecordRefund cmd) {
    Order order = order(cmd.orderNo());
    if (order == null) {
      return missing(cmd.orderNo(), "");
    }
    if (!order.awaits(cmd.attempt())) {
      return existing(order);
    }
    return change(new SaleEvent.PaymentRefunded(order.orderNo(), cmd.paymentRef(), now, cmd.attempt()),
        order.paymentEnded(PaymentStatus.REFUNDED, cmd.paymentRef()), Answer.ORDER);
  }

  private Decision cancelOrder(CancelOrder cmd) {
    Order order = order(cmd.orderNo());
    if (order == null) {
      return missing(cmd.orderNo(), "");
    }
    Rejected notTheirs = order.refusalFor(cmd.userId(), cmd.byAdmin());
    if (notTheirs != null) {
      return Decision.answer(notTheirs);
    }
    return switch (order.status()) {
      case CONFIRMED -> reject(ErrorCode.ALREADY_CONFIRMED, "A paid order cannot be cancelled");
      case EXPIRED -> reject(ErrorCode.RESERVATION_EXPIRED, "The hold expired at " + order.expiresAt());
      case CANCELLED -> existing(order);
      case RESERVED -> {
        unitsReleased += order.quantity();
        if (!cmd.byAdmin()) {
          newCancellations.merge(order.userId(), 1, Integer::sum);
        }
        yield change(new SaleEvent.OrderCancelled(order.orderNo(), now, cmd.byAdmin() ? cmd.userId() : null),
            order.withStatus(OrderStatus.CANCELLED), Answer.ORDER);
      }
    };
  }

  private Decision change(SaleEvent event, Order after, Answer answer) {
    events.add(event);
    changed.put(after.orderNo(), after);
    return Decision.afterWrite(after, answer);
  }

  /** An order answered as it is: at once if the journal has it so, else once this round is written. */
  private Decision existing(Order order) {
    return changed.containsKey(order.orderNo())
        ? Decision.afterWrite(order, Answer.ORDER)
        : Decision.answer(new OrderDetails(state.view(order), false));
  }

  /**
   * An order this sale does not hold: unknown, or released and gone from the state (which cannot tell whose it
   * was, nor whether it was cancelled or expired).
   */
  private Decision missing(long orderNo, String consequence) {
    Order inRound = changed.get(orderNo);
    if (inRound != null ? !inRound.isFinishedRelease() : !state.wasReleased(orderNo)) {
      return reject(ErrorCode.NOT_FOUND, "No such order");
    }
    return state.isCancelled()
        ? reject(ErrorCode.SALE_CANCELLED, "The sale was cancelled" + consequence)
        : reject(ErrorCode.RESERVATION_EXPIRED, SaleDecisions.RELEASED + consequence);
  }

  private Decision releasedOrderRejection() {
    return state.isCancelled()
        ? reject(ErrorCode.SALE_CANCELLED, "The sale was cancelled")
        : reject(ErrorCode.RESERVATION_EXPIRED, "The order was cancelled");
  }

  // ---- the state as this round has changed it ----

  /** The order as this round left it; null if unknown or released (as it will be once the round is written). */
  private Order order(long orderNo) {
    Order order = changed.get(orderNo);
    if (order == null) {
      return state.order(orderNo);
    }
    return order.isFinishedRelease() ? null : order;
  }

  private Order orderByKey(String userId, String key) {
    Long inRound = newKeys.get(indexKey(userId, key));
    if (inRound != null) {
      return order(inRound);
    }
    Order written = state.orderByIdempotencyKey(userId, key);
    return written == null ? null : order(written.orderNo());
  }

  private int requestedQuantity(String userId, String key, Order order) {
    Integer inRound = newKeyQuantities.get(indexKey(userId, key));
    return inRound != null ? inRound : state.requestedQuantity(userId, key, order);
  }

  private int cancellationsOf(String userId) {
    return state.cancellationsOf(userId) + newCancellations.getOrDefault(userId, 0);
  }

  private List<Order> ordersOf(String userId) {
    List<Order> orders = new ArrayList<>();
    for (long no : state.orderNosOf(userId)) {
      addIfHeld(orders, no);
    }
    for (long no : newOrdersByUser.getOrDefault(userId, List.of())) {
      addIfHeld(orders, no);
    }
    return orders;
  }

  private void addIfHeld(List<Order> orders, long orderNo) {
    Order order = order(orderNo);
    if (order != null) {
      orders.add(order);
    }
  }

  private static Decision reject(ErrorCode code, String detail) {
    return Decision.answer(new Rejected(code, detail));
  }

  private static String indexKey(String userId, String key) {
    return SaleState.idempotencyIndexKey(userId, key);
  }
}
