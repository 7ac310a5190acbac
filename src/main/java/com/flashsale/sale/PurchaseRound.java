package com.flashsale.sale;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleCommand.Reserve;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides purchase requests in arrival order against one state, as if the events of the requests
 * decided before had already been applied (DESIGN.md rule 3: a batch of purchases is decided one by
 * one and written in one go). The state itself is not touched: what this round adds is kept beside
 * it (units taken, new holds by buyer, new Idempotency-Key bindings) until the entity persists
 * {@link #events()}. A single request is a round of one, so both paths share every rule.
 */
final class PurchaseRound {

  /**
   * The outcome of one request: {@code now} is an answer that needs no write (a rejection, or an
   * existing order that is already in the journal); otherwise the request is answered with order
   * {@code orderNo} once the round's events are written.
   */
  record Decision(SaleReply now, long orderNo, boolean created) {

    static Decision answer(SaleReply reply) {
      return new Decision(reply, 0, false);
    }

    boolean isImmediate() {
      return now != null;
    }

    /** The answer after the round's events were applied to {@code written}. */
    SaleReply afterWrite(SaleState written) {
      return new OrderDetails(written.view(written.order(orderNo)), created);
    }
  }

  /** An order made or re-keyed in this round. */
  private record Held(long orderNo, int quantity) {}

  private final SaleState state;
  private final Instant now;
  private final List<SaleEvent> events = new ArrayList<>();
  private final Map<String, Held> newHoldByUser = new HashMap<>();
  private final Map<String, Held> newKeys = new HashMap<>();
  private long nextOrderNo;
  private int unitsTaken;

  PurchaseRound(SaleState state, Instant now) {
    this.state = state;
    this.now = now;
    this.nextOrderNo = state.nextOrderNo();
  }

  /** The events to persist, in decision order; empty when every request was answered at once. */
  List<SaleEvent> events() {
    return events;
  }

  /**
   * A retry (same Idempotency-Key, or a buyer who already holds a unit) gets the existing order back;
   * otherwise the sale must be open, the quantity allowed, the buyer under the limit and enough units
   * left after the requests decided before it.
   */
  Decision decide(Reserve cmd) {
    String key = cmd.idempotencyKey();
    if (key != null) {
      Decision prior = priorOrderFor(cmd);
      if (prior != null) {
        return prior;
      }
    }
    Held newHold = newHoldByUser.get(cmd.userId());
    Order hold = newHold == null ? state.openHoldOf(cmd.userId()) : null;
    if (key != null && (newHold != null || hold != null)) {
      Held held = newHold != null ? newHold : new Held(hold.orderNo(), hold.quantity());
      events.add(new SaleEvent.IdempotencyKeyBound(held.orderNo(), cmd.userId(), key, now));
      newKeys.put(indexKey(cmd.userId(), key), held);
      return new Decision(null, held.orderNo(), false);
    }
    if (newHold != null) {
      return new Decision(null, newHold.orderNo(), false);
    }
    if (hold != null) {
      return Decision.answer(new OrderDetails(state.view(hold), false));
    }
    Rejected closed = closedForPurchase();
    if (closed != null) {
      return Decision.answer(closed);
    }
    if (cmd.quantity() < 1 || cmd.quantity() > state.perUserLimit()) {
      return reject(ErrorCode.VALIDATION, "quantity must be between 1 and " + state.perUserLimit());
    }
    if (state.unitsTakenBy(cmd.userId()) + cmd.quantity() > state.perUserLimit()) {
      return reject(ErrorCode.LIMIT_REACHED, "At most " + state.perUserLimit() + " unit(s) per buyer");
    }
    if (state.available() - unitsTaken < cmd.quantity()) {
      return reject(ErrorCode.SOLD_OUT, "No unit available right now");
    }
    long orderNo = nextOrderNo++;
    unitsTaken += cmd.quantity();
    events.add(new SaleEvent.UnitsReserved(orderNo, cmd.userId(), cmd.quantity(), key, now,
        now.plusSeconds(state.holdSeconds())));
    Held held = new Held(orderNo, cmd.quantity());
    newHoldByUser.put(cmd.userId(), held);
    if (key != null) {
      newKeys.put(indexKey(cmd.userId(), key), held);
    }
    return new Decision(null, orderNo, true);
  }

  /** The order an Idempotency-Key already names (in the journal or earlier in this round), if any. */
  private Decision priorOrderFor(Reserve cmd) {
    Held inRound = newKeys.get(indexKey(cmd.userId(), cmd.idempotencyKey()));
    Order written = inRound == null ? state.orderByIdempotencyKey(cmd.userId(), cmd.idempotencyKey()) : null;
    if (inRound == null && written == null) {
      return null;
    }
    int quantity = inRound != null ? inRound.quantity() : written.quantity();
    if (quantity != cmd.quantity()) {
      return reject(ErrorCode.IDEMPOTENCY_MISMATCH,
          "This Idempotency-Key was used for a purchase of " + quantity + " unit(s)");
    }
    return inRound != null
        ? new Decision(null, inRound.orderNo(), false)
        : Decision.answer(new OrderDetails(state.view(written), false));
  }

  private Rejected closedForPurchase() {
    return switch (state.statusAt(now)) {
      case CANCELLED -> new Rejected(ErrorCode.SALE_CANCELLED, "The sale was cancelled");
      case ENDED -> new Rejected(ErrorCode.SALE_ENDED, "The sale ended at " + state.endsAt());
      case UPCOMING -> new Rejected(ErrorCode.NOT_STARTED, "The sale starts at " + state.startsAt());
      case LIVE, SOLD_OUT -> null;
    };
  }

  private static Decision reject(ErrorCode code, String detail) {
    return Decision.answer(new Rejected(code, detail));
  }

  private static String indexKey(String userId, String key) {
    return userId + '\n' + key;
  }
}
