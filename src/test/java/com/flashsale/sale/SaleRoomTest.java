package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.ADMIN;
import static com.flashsale.sale.SaleHarness.CLOSES;
import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.PRICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import com.flashsale.ErrorCode;
import com.flashsale.sale.RoomTerms.RoomChange;
import com.flashsale.sale.RoomUpdate.Phase;
import com.flashsale.sale.SaleEvent.AdmissionAdvanced;
import com.flashsale.sale.SaleEvent.RoomChanged;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.SaleDetails;
import com.flashsale.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Specifications of a sale's waiting room inside the {@link Sale} entity: only admitted buyers buy, the admin
 * opens, changes and removes the room, and admission (the watermark) moves at the room's rate over the buyers the
 * nodes counted, never over ranks not counted yet, stops while no unit is left, and survives a restart. The room's
 * own timer is an hour here: the tests send its ticks.
 */
class SaleRoomTest extends SaleSpec {

  /** A heartbeat of 1 s: periods are whole seconds; passes last 10 s; automatic rooms admit up to 1,000/s. */
  static final RoomSettings ROOM = new RoomSettings(Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(10), 1_000, Duration.ofSeconds(30));
  static final RoomTerms RATE_10 = new RoomTerms(OPENS.minus(Duration.ofMinutes(15)), 4, 10, false);
  /** Half of one pre-queue bucket's ranks. */
  static final long HALF_BUCKET = QueueRanks.bucketEnd(0) / 2;

  private void newRoomSale(int stock, RoomTerms room) {
    newRoomSale(stock, room, OPENS);
  }

  /** A sale with a room, created at {@code now} (its entity hears reports from then on). */
  private void newRoomSale(int stock, RoomTerms room, java.time.Instant now) {
    sale = new SaleHarness(testKit.system(), new TestClock(now), new SaleSettings(1_000, SaleHarness.PAYMENT_GRACE,
        SaleHarness.EXPIRY_CHECK, SaleHarness.MAX_WAITING_REQUESTS, SaleHarness.SETTLE_AFTER,
        SaleHarness.GATEWAY_TIMEOUT, SaleSettings.BuyerBounds.DEFAULT, ROOM));
    sale.create(new SaleTerms("product-1", PRICE, stock, OPENS, CLOSES, 1, 300, room)).replyOfType(SaleDetails.class);
  }

  private CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> buy(String userId, boolean admitted) {
    return sale.kit.runCommand(replyTo -> new SaleCommand.Reserve(userId, 1, null, admitted, null, replyTo));
  }

  private CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> changeRoom(RoomChange change) {
    return sale.kit.runCommand(replyTo -> new SaleCommand.ChangeSale(null, null, 0, change, null, ADMIN, null, replyTo));
  }

  /** Node "a" saw {@code seen} (per bucket) in each of the last few periods before now. */
  private void reported(Map<Long, Integer> seen) {
    long current = ROOM.period(sale.now());
    for (long period = current - 3; period < current; period++) {
      sale.kit.runCommand(new SaleCommand.RoomReport("a", period, seen, 0));
    }
  }

  /** Moves the clock by {@code seconds}, reports {@code seen} again, and ticks: the progress it wrote, or null. */
  private AdmissionAdvanced tickAfter(double seconds, Map<Long, Integer> seen) {
    sale.advance(Duration.ofMillis((long) (seconds * 1000)));
    reported(seen);
    var events = sale.kit.runCommand(new SaleCommand.RoomTick(sale.now())).events();
    return events.isEmpty() ? null : (AdmissionAdvanced) events.get(0);
  }

  private long watermark() {
    return sale.kit.getState().progress().watermark();
  }

  // ---- who may buy ----

  @Test
  void aSaleWithARoomSellsOnlyToAdmittedBuyers() {
    newRoomSale(10, RATE_10);

    assertRejected(buy("alice", false), ErrorCode.NOT_ADMITTED);
    assertThat(buy("alice", true).replyOfType(OrderDetails.class).created()).isTrue();
    assertThat(sale.kit.getState().progress().purchased()).isEqualTo(1);
  }

  @Test
  void anAdminOpensChangesAndRemovesTheRoomAndEachChangeNamesThem() {
    sale.createLive(10, 1, 300);
    assertThat(buy("alice", false).replyOfType(OrderDetails.class).created()).isTrue();

    var opened = changeRoom(new RoomChange(null, null, null, 50, null));
    RoomTerms room = new RoomTerms(OPENS.minus(RoomTerms.DEFAULT_PREQUEUE), RoomTerms.DEFAULT_DIFFICULTY, 50, false);
    assertThat(opened.events()).containsExactly(new RoomChanged(room, sale.now(), ADMIN));
    assertThat(opened.replyOfType(SaleDetails.class).sale().room()).isEqualTo(room);
    assertRejected(buy("bob", false), ErrorCode.NOT_ADMITTED);

    var paused = changeRoom(new RoomChange(null, null, null, null, true));
    assertThat(paused.events()).containsExactly(new RoomChanged(
        new RoomTerms(room.prequeueOpensAt(), room.difficulty(), 50, true), sale.now(), ADMIN));
    assertThat(changeRoom(new RoomChange(null, null, null, null, true)).events()).as("no change").isEmpty();

    assertThat(changeRoom(new RoomChange(false, null, null, null, null)).events())
        .containsExactly(new RoomChanged(null, sale.now(), ADMIN));
    assertThat(buy("bob", false).replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void roomTermsOutsideTheirBoundsAreRefused() {
    newRoomSale(10, RATE_10);

    assertRejected(changeRoom(new RoomChange(null, CLOSES, null, null, null)), ErrorCode.VALIDATION);
    assertRejected(changeRoom(new RoomChange(null, null, 31, null, null)), ErrorCode.VALIDATION);
    assertRejected(changeRoom(new RoomChange(null, null, null, -1, null)), ErrorCode.VALIDATION);
  }

  @Test
  void aSaleIsNotCreatedWithARoomOpeningAfterItsStart() {
    sale = new SaleHarness(testKit.system(), new TestClock(OPENS), SaleHarness.SETTINGS);

    assertRejected(sale.create(new SaleTerms("product-1", PRICE, 1, OPENS, CLOSES, 1, 300,
        new RoomTerms(OPENS.plusSeconds(1), 4, 0, false))), ErrorCode.VALIDATION);
  }

  // ---- admission ----

  @Test
  void admissionMovesAtTheRoomsRateOverTheBuyersTheNodesCounted() {
    newRoomSale(1_000, RATE_10);
    Map<Long, Integer> hundredInBucketZero = Map.of(0L, 100);

    assertThat(tickAfter(5.5, hundredInBucketZero)).as("the first tick starts the clock").isNull();
    AdmissionAdvanced first = tickAfter(1, hundredInBucketZero);
    AdmissionAdvanced second = tickAfter(1, hundredInBucketZero);

    LiveCounts counts = LiveCounts.of(Map.of(0L, 100.0));
    assertThat(counts.between(0, first.watermark())).isCloseTo(10, within(1e-6));
    assertThat(first.admitted()).isEqualTo(10);
    assertThat(counts.between(0, second.watermark())).isCloseTo(20, within(1e-6));
    assertThat(second.admitted()).isEqualTo(20);
    sale.kit.restart();
    assertThat(watermark()).as("the watermark is persisted").isEqualTo(second.watermark());
  }

  @Test
  void aPausedRoomAdmitsNoOneAndResumesWhereItWas() {
    newRoomSale(1_000, RATE_10);
    Map<Long, Integer> seen = Map.of(0L, 100);
    tickAfter(5.5, seen);
    long before = tickAfter(1, seen).watermark();

    changeRoom(new RoomChange(null, null, null, null, true));
    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.PAUSED);
    assertThat(tickAfter(1, seen)).isNull();
    changeRoom(new RoomChange(null, null, null, null, false));

    assertThat(tickAfter(1, seen).watermark()).isGreaterThan(before);
  }

  @Test
  void noOneIsAdmittedBeforeTheStart() {
    newRoomSale(1_000, RATE_10);
    sale.setTime(OPENS.minusSeconds(30));

    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.PREQUEUE);
    tickAfter(5.5, Map.of(0L, 100));
    assertThat(tickAfter(1, Map.of(0L, 100))).isNull();
  }

  @Test
  void admissionStopsAtRanksWhoseBuyersTheNodesCannotHaveCountedYet() {
    newRoomSale(1_000, new RoomTerms(OPENS.minusSeconds(60), 4, 10_000, false));
    sale.advance(Duration.ofSeconds(5));
    // Ten buyers arrive in the period after the last one reported: no report can have counted them yet.
    long arrived = QueueRanks.bucket(QueueRanks.arrival(sale.now().plusMillis(1_500), 0));
    Map<Long, Integer> seen = Map.of(0L, 100, arrived, 10);

    tickAfter(1.5, seen);
    AdmissionAdvanced advanced = tickAfter(0, seen);
    assertThat(advanced).isNull(); // no time passed, no budget
    advanced = tickAfter(0.25, seen);

    assertThat(advanced.admitted()).as("only the pre-queue").isEqualTo(100);
    assertThat(advanced.watermark()).isLessThanOrEqualTo(QueueRanks.bucketStart(arrived));
    // Once a reported period holds their arrival, they are admitted.
    assertThat(tickAfter(2, seen).admitted()).isEqualTo(110);
  }

  @Test
  void thePrequeueIsAdmittedOnlyOnceAPeriodAfterTheStartCountedItAndEachBuyerOnce() {
    newRoomSale(100, new RoomTerms(OPENS.minusSeconds(60), 4, 0, false), OPENS.minusSeconds(10));
    sale.setTime(OPENS.plusMillis(300));
    long beforeStart = ROOM.period(OPENS) - 1;
    // 60 buyers checked in the period before the start; 60 more joined in its last moment, so the period of the
    // start counts all 120.
    for (long period = beforeStart - 2; period <= beforeStart; period++) {
      sale.kit.runCommand(new SaleCommand.RoomReport("a", period, Map.of(0L, 60), 0));
    }
    sale.kit.runCommand(new SaleCommand.RoomTick(sale.now()));
    sale.advance(Duration.ofMillis(600));
    assertThat(sale.kit.runCommand(new SaleCommand.RoomTick(sale.now())).events())
        .as("the period of the start is not reported yet").isEmpty();

    sale.advance(Duration.ofMillis(900));
    sale.kit.runCommand(new SaleCommand.RoomReport("a", beforeStart + 1, Map.of(0L, 120), 0));
    var events = sale.kit.runCommand(new SaleCommand.RoomTick(sale.now())).events();

    AdmissionAdvanced advanced = (AdmissionAdvanced) events.get(0);
    assertThat(advanced.admitted()).isEqualTo(100);
    assertThat(LiveCounts.of(Map.of(0L, 120.0)).between(0, advanced.watermark()))
        .as("100 of the 120 counted, not 100 of an average of 90").isCloseTo(100, within(1e-6));
  }

  @Test
  void afterARestartTheRoomAdmitsNoOneUntilItHasHeardAFullWindowOfReports() {
    newRoomSale(1_000, RATE_10);
    Map<Long, Integer> seen = Map.of(0L, 100);
    tickAfter(5.5, seen);
    long before = tickAfter(1, seen).watermark();

    sale.kit.restart();
    tickAfter(0.1, seen);
    assertThat(tickAfter(1, seen)).as("reports it did not hear may be missing").isNull();
    assertThat(watermark()).isEqualTo(before);

    tickAfter(3, seen);
    assertThat(watermark()).isGreaterThan(before);
  }

  @Test
  void noOneIsAdmittedWhileNoUnitIsLeftAndAdmissionResumesWhenUnitsComeBack() {
    newRoomSale(1, RATE_10);
    Map<Long, Integer> seen = Map.of(0L, 100);
    tickAfter(5.5, seen);
    long orderNo = SaleHarness.orderNo(buy("alice", true).replyOfType(OrderDetails.class).order());

    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.UNITS_MAY_COME_BACK);
    assertThat(tickAfter(1, seen)).isNull();

    sale.cancelOrder(orderNo, "alice");
    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.ADMITTING);
    assertThat(tickAfter(1, seen)).isNotNull();
  }

  @Test
  void aWriteThatChangesTheRoomsPhaseTellsEveryNodeAtOnceNotAtTheNextTick() {
    newRoomSale(1, RATE_10);
    TestProbe<RoomUpdate> node = testKit.createTestProbe(RoomUpdate.class);
    ActorRef<Topic.Command<RoomUpdate>> topic = testKit.spawn(Topic.create(RoomUpdate.class,
        RoomUpdate.topicName(sale.saleId)));
    topic.tell(Topic.subscribe(node.getRef()));
    // Ticks until the subscription has reached the entity's topic (the receptionist spreads it).
    node.awaitAssert(Duration.ofSeconds(10), () -> {
      sale.kit.runCommand(new SaleCommand.RoomTick(sale.now()));
      return node.expectMessageClass(RoomUpdate.class, Duration.ofMillis(200));
    });

    buy("alice", true);

    RoomUpdate update = node.fishForMessage(Duration.ofSeconds(3), received ->
        received.phase() == Phase.UNITS_MAY_COME_BACK ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0);
    assertThat(update.rate()).isZero();
  }

  @Test
  void aSoldOutSaleWithNoOpenHoldTellsTheRoomSoldOut() {
    newRoomSale(1, RATE_10);
    long orderNo = SaleHarness.orderNo(buy("alice", true).replyOfType(OrderDetails.class).order());
    sale.beginPayment(orderNo, "alice");
    sale.confirm(orderNo, "ref-1");

    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.SOLD_OUT);
    sale.setTime(CLOSES);
    assertThat(RoomControl.phase(sale.kit.getState(), sale.now())).isEqualTo(Phase.CLOSED);
  }

  @Test
  void aRoomWithAnAdminsRateAdmitsNoMoreThanTheUnitsLeftCanTake() {
    newRoomSale(3, new RoomTerms(OPENS.minusSeconds(60), 4, 1_000, false));
    Map<Long, Integer> seen = Map.of(0L, 100);
    tickAfter(5.5, seen);

    assertThat(tickAfter(1, seen).admitted()).isEqualTo(3);
    assertThat(tickAfter(1, seen)).as("three passes are out for three units").isNull();
  }

  @Test
  void anAutomaticRoomAdmitsAsManyAsTheUnitsLeftCanTake() {
    newRoomSale(5, new RoomTerms(OPENS.minusSeconds(60), 4, 0, false));
    Map<Long, Integer> seen = Map.of(0L, 100);
    tickAfter(5.5, seen);

    assertThat(tickAfter(1, seen).admitted()).isEqualTo(5);
    assertThat(tickAfter(1, seen)).as("five passes are out for five units").isNull();
    buy("alice", true);
    buy("bob", true);
    assertThat(tickAfter(1, seen)).as("three passes are out for three units").isNull();

    // Passes given more than their validity ago no longer hold units back.
    assertThat(tickAfter(10, seen).admitted()).isEqualTo(8);
  }
}
