package com.flashsale.sale;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import com.flashsale.testing.TestClock;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * One sale entity under test: a fresh sale id, its clock and its {@link EventSourcedBehaviorTestKit},
 * with one short verb per command so that specifications read as the domain does.
 */
final class SaleHarness {

  static final Instant OPENS = Instant.parse("2026-11-23T10:00:00Z");
  static final Instant CLOSES = OPENS.plus(Duration.ofHours(1));
  static final BigDecimal PRICE = new BigDecimal("999.99");
  static final Duration PAYMENT_GRACE = Duration.ofSeconds(30);
  /** Long enough that no expiry check fires during a test: only the test moves time. */
  static final Duration EXPIRY_CHECK = Duration.ofSeconds(60);
  static final int MAX_WAITING_REQUESTS = 200;
  /**
   * A payment attempt in doubt is settled this long after it began: beyond any time the specifications move
   * the clock, except those of settling ({@link SalePaymentSettlementTest}), which settle after 10 s.
   */
  static final Duration SETTLE_AFTER = Duration.ofDays(1);
  static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(2);
  static final SaleSettings SETTINGS = settings(1_000);
  static final String ADMIN = "admin";

  /** Events and commands are checked through Jackson CBOR; the mutable state goes through its snapshot. */
  private static final EventSourcedBehaviorTestKit.SerializationSettings SERIALIZATION =
      EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false);

  final String saleId = UUID.randomUUID().toString();
  final Clock clock;
  final ScriptedGateway gateway = new ScriptedGateway();
  final EventSourcedBehaviorTestKit<SaleCommand, SaleEvent, SaleState> kit;
  /** The payment attempt each order was last paid with, by order number. */
  private final Map<Long, String> attempts = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger attemptsMade = new java.util.concurrent.atomic.AtomicInteger();

  SaleHarness(ActorSystem<?> system, Clock clock, SaleSettings settings) {
    this.clock = clock;
    this.kit = EventSourcedBehaviorTestKit.create(system,
        Sale.create(saleId, clock, settings, gateway, SaleMonitor.NONE), SERIALIZATION);
  }

  /** The test settings, snapshotting every {@code snapshotEvery} events. */
  static SaleSettings settings(int snapshotEvery) {
    return settings(snapshotEvery, SETTLE_AFTER);
  }

  static SaleSettings settings(int snapshotEvery, Duration settleAfter) {
    return new SaleSettings(snapshotEvery, PAYMENT_GRACE, EXPIRY_CHECK, MAX_WAITING_REQUESTS, settleAfter,
        GATEWAY_TIMEOUT, SaleSettings.BuyerBounds.DEFAULT);
  }

  static SaleTerms terms(int stock, int perUserLimit, int holdSeconds) {
    return new SaleTerms("product-1", PRICE, stock, OPENS, CLOSES, perUserLimit, holdSeconds);
  }

  String persistenceId() {
    return "Sale|" + saleId;
  }

  void advance(Duration by) {
    ((TestClock) clock).advance(by);
  }

  void setTime(Instant instant) {
    ((TestClock) clock).set(instant);
  }

  Instant now() {
    return clock.instant();
  }

  // ---- commands ----

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> create(SaleTerms terms) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.Create(terms, ADMIN, null, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> reserve(String userId) {
    return reserve(userId, 1, null);
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> reserve(String userId, int quantity,
      String idempotencyKey) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.Reserve(userId, quantity, idempotencyKey, null, replyTo));
  }

  /** One purchase request of a batch: who, how many, and an Idempotency-Key (or null). */
  record Request(String userId, int quantity, String idempotencyKey) {}

  /** A batch sent as one command; each request's answer lands in its own probe. */
  record Batch(CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> result,
      List<TestProbe<SaleReply>> answers) {

    /** The answer to request {@code i}, which must have arrived. */
    SaleReply answer(int i) {
      return answers.get(i).receiveMessage(Duration.ofSeconds(3));
    }
  }

  Batch reserveBatch(ActorTestKit testKit, List<Request> requests) {
    return batch(testKit, requests.stream().<Function<ActorRef<SaleReply>, SaleCommand.OrderCommand>>map(
        request -> replyTo -> new SaleCommand.Reserve(request.userId(), request.quantity(), request.idempotencyKey(),
            null, replyTo)).toList());
  }

  /** Any order commands, sent as one {@code OrderBatch}. */
  Batch batch(ActorTestKit testKit, List<Function<ActorRef<SaleReply>, SaleCommand.OrderCommand>> commands) {
    List<TestProbe<SaleReply>> answers = new ArrayList<>();
    List<SaleCommand.OrderCommand> batch = new ArrayList<>();
    for (var command : commands) {
      TestProbe<SaleReply> probe = testKit.createTestProbe(SaleReply.class);
      answers.add(probe);
      batch.add(command.apply(probe.getRef()));
    }
    return new Batch(kit.<SaleReply>runCommand(replyTo -> new SaleCommand.OrderBatch(batch, replyTo)), answers);
  }

  /** One order command on its own. */
  SaleReply one(Function<ActorRef<SaleReply>, SaleCommand.OrderCommand> command) {
    return kit.<SaleReply>runCommand(command::apply).reply();
  }

  /** Begins the harness's n-th payment attempt ({@code attempt-<order>-<n>}), which the other payment verbs then use. */
  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> beginPayment(long orderNo, String userId) {
    String attempt = "attempt-" + orderNo + "-" + attemptsMade.incrementAndGet();
    attempts.put(orderNo, attempt);
    return beginPayment(orderNo, userId, attempt);
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> beginPayment(long orderNo, String userId,
      String attempt) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.BeginPayment(orderNo, userId, attempt, null, replyTo));
  }

  /** The attempt the order was last paid with. */
  String attempt(long orderNo) {
    return attempts.getOrDefault(orderNo, "no-attempt");
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> confirm(long orderNo, String paymentRef) {
    return kit.<SaleReply>runCommand(replyTo ->
        new SaleCommand.ConfirmPayment(orderNo, attempt(orderNo), paymentRef, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> decline(long orderNo) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.DeclinePayment(orderNo, attempt(orderNo), replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> cancelOrder(long orderNo, String userId) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.CancelOrder(orderNo, userId, false, null, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> cancelOrderAsAdmin(long orderNo) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.CancelOrder(orderNo, ADMIN, true, null, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> getOrder(long orderNo, String userId) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.GetOrder(orderNo, userId, false, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> getOrderAsAdmin(long orderNo) {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.GetOrder(orderNo, ADMIN, true, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> change(Instant startsAt, Instant endsAt,
      int addStock) {
    return change(startsAt, endsAt, addStock, null);
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> change(Instant startsAt, Instant endsAt,
      int addStock, String idempotencyKey) {
    return kit.<SaleReply>runCommand(replyTo ->
        new SaleCommand.ChangeSale(startsAt, endsAt, addStock, null, idempotencyKey, ADMIN, null, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> cancelSale() {
    return kit.<SaleReply>runCommand(replyTo -> new SaleCommand.CancelSale(ADMIN, null, replyTo));
  }

  CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> get() {
    return kit.<SaleReply>runCommand(SaleCommand.Get::new);
  }

  CommandResult<SaleCommand, SaleEvent, SaleState> expireHolds() {
    return kit.runCommand(new SaleCommand.ExpireHolds(now()));
  }

  // ---- shortcuts ----

  /** Creates the standard live sale (the clock starts at its opening). */
  SaleView createLive(int stock, int perUserLimit, int holdSeconds) {
    return create(terms(stock, perUserLimit, holdSeconds)).replyOfType(SaleReply.SaleDetails.class).sale();
  }

  /** Reserves one unit for the buyer and returns the new order's number. */
  long reserved(String userId) {
    return orderNo(reserve(userId).replyOfType(SaleReply.OrderDetails.class).order());
  }

  /** Reserves, starts and confirms the payment of one unit; returns the order number. */
  long bought(String userId) {
    long orderNo = reserved(userId);
    beginPayment(orderNo, userId).replyOfType(SaleReply.ReadyToPay.class);
    confirm(orderNo, "pay-" + orderNo).replyOfType(SaleReply.OrderDetails.class);
    return orderNo;
  }

  SaleView stats() {
    return get().replyOfType(SaleReply.SaleDetails.class).sale();
  }

  OrderView order(long orderNo) {
    return getOrderAsAdmin(orderNo).replyOfType(SaleReply.OrderDetails.class).order();
  }

  /**
   * An order's status: the entity's while it keeps the order, else the journal's (a released order leaves the
   * entity's state, which then knows only that it was released).
   */
  OrderStatus statusOf(long orderNo) {
    if (getOrderAsAdmin(orderNo).reply() instanceof SaleReply.OrderDetails details) {
      return details.order().status();
    }
    if (!kit.getState().wasReleased(orderNo)) {
      throw new AssertionError("Order " + orderNo + " is neither kept nor released");
    }
    OrderStatus status = null;
    for (Object event : kit.persistenceTestKit().persistedInStorage(persistenceId())) {
      if (event instanceof SaleEvent.OrderCancelled e && e.orderNo() == orderNo
          || event instanceof SaleEvent.SaleCancelled e2 && e2.releasedOrderNos().contains(orderNo)) {
        status = OrderStatus.CANCELLED;
      } else if (event instanceof SaleEvent.HoldsExpired e && e.orderNos().contains(orderNo)) {
        status = OrderStatus.EXPIRED;
      }
    }
    return status;
  }

  static long orderNo(OrderView order) {
    return Long.parseLong(order.id().substring(order.id().lastIndexOf('-') + 1));
  }

  /**
   * Everything the entity can observe of a state at {@code now}: counts, every order, open holds in
   * expiry order, indexes by buyer and Idempotency-Key, the next order number and the next deadline.
   * Two states with equal fingerprints decide every command alike.
   */
  static Map<String, Object> fingerprint(SaleState state, Instant now) {
    List<Order> orders = new ArrayList<>(state.toSnapshot().orders());
    orders.sort(Comparator.comparingLong(Order::orderNo));
    Map<String, Object> print = new LinkedHashMap<>();
    print.put("sale", state.view(now));
    print.put("created", state.isCreated());
    print.put("orders", orders);
    print.put("orderViews", orders.stream().map(state::view).toList());
    print.put("openHolds", state.openHolds().orderNos());
    print.put("dueLongAfter", state.openHolds().dueAt(now.plus(Duration.ofDays(1)), PAYMENT_GRACE));
    print.put("nextReleaseDeadline", state.openHolds().nextDeadline(PAYMENT_GRACE));
    print.put("nextOrderNo", state.nextOrderNo());
    print.put("cancellations", new java.util.TreeMap<>(state.toSnapshot().cancellationsByUser()));
    for (String user : new TreeSet<>(orders.stream().map(Order::userId).toList())) {
      List<Order> ordersOfUser = state.orderNosOf(user).stream().map(state::order).toList();
      print.put("ordersOf " + user, ordersOfUser);
      print.put("unitsTakenBy " + user, Order.unitsTaken(ordersOfUser));
      print.put("openHoldOf " + user, Order.openHold(ordersOfUser));
    }
    for (Order order : orders) {
      if (order.idempotencyKey() != null) {
        print.put("key " + order.userId() + "/" + order.idempotencyKey(),
            state.orderByIdempotencyKey(order.userId(), order.idempotencyKey()));
      }
    }
    return print;
  }
}
