package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.PRICE;
import static com.flashsale.sale.SaleHarness.orderNo;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.javadsl.SnapshotTestKit;
import com.flashsale.testing.TestClock;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No buyer behaviour grows a sale: a buyer's cancellations and an order's payment attempts are bounded, an
 * order takes one Idempotency-Key, and released orders leave the state (the journal keeps them), so the
 * state, and every snapshot of it, stays O(stock).
 */
class SaleBuyerBoundsTest extends SaleSpec {

  private static final SaleSettings.BuyerBounds BOUNDS = SaleSettings.BuyerBounds.DEFAULT;

  @Test
  void aBuyerWhoCancelledTheMostHoldsMayBuyNoMore() {
    sale.createLive(10, 1, 300);
    for (int i = 0; i < BOUNDS.maxCancellations(); i++) {
      sale.cancelOrder(sale.reserved("alice"), "alice").replyOfType(OrderDetails.class);
    }

    assertRejected(sale.reserve("alice", 1, "one-more"), ErrorCode.TOO_MANY_ATTEMPTS);
    assertRejected(sale.reserve("alice"), ErrorCode.TOO_MANY_ATTEMPTS);
    assertThat(sale.reserve("bob").replyOfType(OrderDetails.class).created()).isTrue();
    sale.kit.restart();
    assertRejected(sale.reserve("alice"), ErrorCode.TOO_MANY_ATTEMPTS);
  }

  @Test
  void holdsThatExpiredOrThatAnAdminCancelledDoNotCount() {
    sale.createLive(10, 1, 60);
    for (int i = 0; i < BOUNDS.maxCancellations(); i++) {
      sale.cancelOrderAsAdmin(sale.reserved("alice")).replyOfType(OrderDetails.class);
      sale.reserved("alice");
      sale.advance(Duration.ofSeconds(61));
      sale.expireHolds();
    }

    assertThat(sale.reserve("alice").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void anOrderMayMakeTheMostPaymentAttemptsAndNoMore() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    for (int i = 0; i < BOUNDS.maxPaymentAttempts(); i++) {
      sale.beginPayment(orderNo, "alice").replyOfType(SaleReply.ReadyToPay.class);
      sale.decline(orderNo).replyOfType(OrderDetails.class);
    }

    var oneMore = sale.beginPayment(orderNo, "alice");

    assertRejected(oneMore, ErrorCode.TOO_MANY_ATTEMPTS);
    assertThat(oneMore.replyOfType(Rejected.class).detail()).contains("the hold stays");
    assertThat(sale.statusOf(orderNo)).isEqualTo(OrderStatus.RESERVED);
  }

  @Test
  void aReleasedOrderLeavesTheStateWithItsKeyAndIsAnsweredAsReleased() {
    sale.createLive(10, 1, 300);
    long orderNo = orderNo(sale.reserve("alice", 1, "key-1").replyOfType(OrderDetails.class).order());
    sale.cancelOrder(orderNo, "alice").replyOfType(OrderDetails.class);

    SaleState state = sale.kit.getState();
    assertThat(state.order(orderNo)).isNull();
    assertThat(state.toSnapshot().orders()).isEmpty();
    assertThat(state.toSnapshot().ordersByIdempotencyKey()).isEmpty();
    assertRejected(sale.beginPayment(orderNo, "alice"), ErrorCode.RESERVATION_EXPIRED);
    assertRejected(sale.confirm(orderNo, "pay-1"), ErrorCode.RESERVATION_EXPIRED);
    assertRejected(sale.getOrderAsAdmin(orderNo), ErrorCode.RESERVATION_EXPIRED); // the route reads the read model
    assertRejected(sale.getOrderAsAdmin(orderNo + 1), ErrorCode.NOT_FOUND);
    assertThat(sale.statusOf(orderNo)).isEqualTo(OrderStatus.CANCELLED);
    // Its key is forgotten with it: the same request is decided again.
    assertThat(sale.reserve("alice", 1, "key-1").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void aSnapshotWrittenWhileReleasedOrdersStayedLoadsWithoutThem() {
    Instant at = OPENS;
    SaleState old = SaleState.blank("sale")
        .apply(new SaleEvent.SaleCreated("sale", "product-1", PRICE, 10, OPENS, OPENS.plusSeconds(3_600), 1, 300, at, null))
        .apply(new SaleEvent.UnitsReserved(1, "alice", 1, "key-a", at, at.plusSeconds(300)))
        .apply(new SaleEvent.UnitsReserved(2, "bob", 1, "key-b", at, at.plusSeconds(300)));
    SaleSnapshot current = old.toSnapshot();
    List<Order> withAReleasedOne = current.orders().stream()
        .map(o -> o.orderNo() == 1 ? o.withStatus(OrderStatus.CANCELLED) : o).toList();
    SaleSnapshot written = new SaleSnapshot("sale", true, "product-1", PRICE, 10, OPENS, OPENS.plusSeconds(3_600), 1, 300,
        false, 9, 0, 1, 2, withAReleasedOne, current.ordersByIdempotencyKey(), Map.of(), current.createdWith(), Map.of(),
        null, null, null);

    SaleState loaded = SaleState.fromSnapshot(written);

    assertThat(loaded.orderCount()).isEqualTo(1);
    assertThat(loaded.wasReleased(1)).isTrue();
    assertThat(loaded.orderByIdempotencyKey("alice", "key-a")).isNull();
    assertThat(loaded.orderByIdempotencyKey("bob", "key-b").orderNo()).isEqualTo(2);
    assertThat(loaded.available()).isEqualTo(9);
  }

  /**
   * 10,000 cycles of reserve, a new key sent again at the hold, a declined payment, then a cancel or an expiry,
   * from five buyers, each with a new Idempotency-Key: every snapshot the sale writes is no bigger than the
   * first. Under the default bounds most cycles are refused; with cancellations unbounded
   * every cycle holds a unit, and released orders leaving the state is what keeps it small (kept, they would be
   * 10,000 orders and 20,000 keys). The entity runs as an actor here: the test kit's per-command journal scan
   * would make 60,000 commands quadratic.
   */
  @ParameterizedTest
  @ValueSource(ints = {3, Integer.MAX_VALUE})
  void tenThousandReserveDeclineCancelCyclesLeaveEverySnapshotAsSmallAsTheFirst(int maxCancellations) {
    int cycles = 10_000;
    int buyers = 5;
    int holdSeconds = 1;
    boolean bounded = maxCancellations != Integer.MAX_VALUE;
    // Refused cycles write nothing: the bounded sale snapshots more often to be seen at all.
    SaleSettings settings = new SaleSettings(bounded ? 10 : 1_000, SaleHarness.PAYMENT_GRACE, SaleHarness.EXPIRY_CHECK,
        SaleHarness.MAX_WAITING_REQUESTS, SaleHarness.SETTLE_AFTER, SaleHarness.GATEWAY_TIMEOUT,
        new SaleSettings.BuyerBounds(maxCancellations, BOUNDS.maxPaymentAttempts()));
    TestClock clock = new TestClock(OPENS);
    String saleId = UUID.randomUUID().toString();
    TestProbe<SaleReply> probe = testKit.createTestProbe();
    Function<Function<ActorRef<SaleReply>, SaleCommand>, SaleReply> ask = spawnSale(saleId, clock, settings, probe);
    ask.apply(replyTo -> new SaleCommand.Create(new SaleTerms("product-1", PRICE, 3, OPENS,
        OPENS.plus(Duration.ofDays(30)), 1, holdSeconds), null, null, replyTo));
    Map<String, Integer> answers = new TreeMap<>();

    for (int i = 0; i < cycles; i++) {
      String buyer = "buyer-" + (i % buyers);
      String key = "key-" + i;
      SaleReply reserved = ask.apply(replyTo -> new SaleCommand.Reserve(buyer, 1, key, null, replyTo));
      answers.merge(reserved instanceof Rejected rejected ? rejected.code().name() : "HELD", 1, Integer::sum);
      if (reserved instanceof OrderDetails details) {
        long orderNo = orderNo(details.order());
        String again = "again-" + i;
        String attempt = "attempt-" + i;
        assertThat(ask.apply(replyTo -> new SaleCommand.Reserve(buyer, 1, again, null, replyTo)))
            .isInstanceOf(OrderDetails.class);
        assertThat(ask.apply(replyTo -> new SaleCommand.BeginPayment(orderNo, buyer, attempt, null, replyTo)))
            .isInstanceOf(SaleReply.ReadyToPay.class);
        assertThat(ask.apply(replyTo -> new SaleCommand.DeclinePayment(orderNo, attempt, replyTo)))
            .isInstanceOf(OrderDetails.class);
        if (i % 2 == 0) {
          assertThat(ask.apply(replyTo -> new SaleCommand.CancelOrder(orderNo, buyer, false, null, replyTo)))
              .isInstanceOf(OrderDetails.class);
        }
      }
      clock.advance(Duration.ofSeconds(holdSeconds));
    }
    SaleView atEnd = ((SaleReply.SaleDetails) ask.apply(SaleCommand.Get::new)).sale();

    if (bounded) {
      assertThat(answers.get(ErrorCode.TOO_MANY_ATTEMPTS.name())).as("answers %s", answers).isPositive();
    } else {
      assertThat(answers).as("answers").containsExactly(Map.entry("HELD", cycles));
    }
    List<SaleSnapshot> snapshots = SnapshotTestKit.create(testKit.system())
        .persistedInStorage(Sale.persistenceId(UUID.fromString(saleId))).stream()
        .map(pair -> (SaleSnapshot) pair.second()).toList();
    assertThat(snapshots).as("snapshots written").hasSizeGreaterThanOrEqualTo(bounded ? 5 : 30);
    int firstBytes = cbor(snapshots.get(0)).length;
    assertThat(snapshots).allSatisfy(snapshot -> {
      assertThat(snapshot.orders()).hasSizeLessThanOrEqualTo(3);
      assertThat(snapshot.ordersByIdempotencyKey()).hasSizeLessThanOrEqualTo(3);
      assertThat(snapshot.cancellationsByUser()).hasSizeLessThanOrEqualTo(buyers);
      assertThat(cbor(snapshot).length).as("bytes; the first: %s", firstBytes).isLessThanOrEqualTo(firstBytes + 64);
    });
    assertThat(atEnd.available() + atEnd.reserved()).isEqualTo(3);
    assertThat(atEnd.confirmed()).isZero();
  }

  /** The sale as an actor on the test kit's journal; the function asks it and returns the answer. */
  private static Function<Function<ActorRef<SaleReply>, SaleCommand>, SaleReply> spawnSale(String saleId,
      TestClock clock, SaleSettings settings, TestProbe<SaleReply> probe) {
    ActorRef<SaleCommand> entity = testKit.spawn(Sale.create(saleId, clock, settings, new ScriptedGateway(),
        SaleMonitor.NONE));
    return command -> {
      entity.tell(command.apply(probe.getRef()));
      return probe.receiveMessage(Duration.ofSeconds(5));
    };
  }
}
