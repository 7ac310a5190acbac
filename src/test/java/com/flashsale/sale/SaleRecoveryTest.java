package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.EXPIRY_CHECK;
import static com.flashsale.sale.SaleHarness.MAX_WAITING_REQUESTS;
import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.PAYMENT_GRACE;
import static com.flashsale.sale.SaleHarness.PRICE;
import static com.flashsale.sale.SaleHarness.SETTINGS;
import static com.flashsale.sale.SaleHarness.fingerprint;
import static com.flashsale.sale.SaleHarness.orderNo;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.japi.Pair;
import akka.persistence.testkit.SnapshotMeta;
import akka.persistence.testkit.javadsl.SnapshotTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.flashsale.sale.SaleEvent.HoldsExpired;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.ReadyToPay;
import com.flashsale.sale.SaleReply.SaleDetails;
import com.flashsale.testing.TestClock;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Specifications of time and durability in a {@link Sale}: holds expiring (on command and on the
 * entity's own timer), recovery after a restart and from a snapshot alone, and the Jackson CBOR
 * round-trips of snapshots and replies.
 */
class SaleRecoveryTest extends SaleSpec {

  // ---- hold expiry ----

  @Test
  void expiresHoldsWhoseTimeRanOut() {
    sale.createLive(10, 1, 300);
    long alices = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(10));
    long bobs = sale.reserved("bob");
    sale.advance(Duration.ofSeconds(290));

    var result = sale.expireHolds();

    assertThat(result.events()).containsExactly(new HoldsExpired(List.of(alices), sale.now()));
    assertThat(sale.statusOf(alices)).isEqualTo(OrderStatus.EXPIRED);
    assertThat(sale.order(bobs).status()).isEqualTo(OrderStatus.RESERVED);
    SaleView stats = sale.stats();
    assertThat(stats.available()).isEqualTo(9);
    assertThat(stats.reserved()).isEqualTo(1);
    assertThat(stats.released()).isEqualTo(1);
  }

  @Test
  void keepsHoldsBeforeTheirTime() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(299));

    var result = sale.expireHolds();

    assertThat(result.events()).isEmpty();
    assertThat(sale.order(orderNo).status()).isEqualTo(OrderStatus.RESERVED);
  }

  @Test
  void waitsForThePaymentGraceBeforeExpiringAHoldBeingPaid() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(290));
    sale.beginPayment(orderNo, "alice");
    Instant graceEnd = sale.now().plus(PAYMENT_GRACE);
    sale.advance(Duration.ofSeconds(11));

    var withinGrace = sale.expireHolds();
    sale.setTime(graceEnd);
    var afterGrace = sale.expireHolds();

    assertThat(withinGrace.events()).isEmpty();
    assertThat(afterGrace.events()).containsExactly(new HoldsExpired(List.of(orderNo), graceEnd));
  }

  @Test
  void expiresHoldsOnItsOwnTimer() {
    SaleHarness live = new SaleHarness(testKit.system(), Clock.systemUTC(), SETTINGS);
    Instant now = Instant.now();
    live.create(new SaleTerms("product-1", PRICE, 5, now.minusSeconds(60), now.plusSeconds(3600), 1, 1));

    long orderNo = live.reserved("alice");

    awaitAssert(() -> assertThat(live.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED));
    assertThat(live.stats().available()).isEqualTo(5);
  }

  // ---- recovery ----

  @Test
  void keepsOpenHoldsAcrossARestart() {
    arrangeOrdersInEveryState(sale);
    Map<String, Object> before = fingerprint(sale.kit.getState(), sale.now());

    sale.kit.restart();

    assertThat(fingerprint(sale.kit.getState(), sale.now())).isEqualTo(before);
    assertRemainingHoldsStillExpire(sale);
  }

  @Test
  void recoversFromASnapshotAloneToTheSameState() {
    // One snapshot, exactly at the arrangement's last event (the sale holds fewer orders than that).
    SaleHarness snapshotted = new SaleHarness(testKit.system(), new TestClock(OPENS),
        SaleHarness.settings(EVENTS_TO_ARRANGE));
    arrangeOrdersInEveryState(snapshotted);
    String pid = snapshotted.persistenceId();
    long lastSeqNr = snapshotted.kit.persistenceTestKit().persistedInStorage(pid).size();
    assertThat(lastSeqNr).isEqualTo(EVENTS_TO_ARRANGE);
    SnapshotTestKit snapshots = snapshotted.kit.snapshotTestKit().orElseThrow();
    awaitAssert(() -> assertThat(latest(snapshots.persistedInStorage(pid)).first().sequenceNr()).isEqualTo(lastSeqNr));
    Map<String, Object> before = fingerprint(snapshotted.kit.getState(), snapshotted.now());

    snapshotted.kit.persistenceTestKit().clearByIdPreservingSeqNumbers(pid);
    snapshotted.kit.restart();

    assertThat(latest(snapshots.persistedInStorage(pid)).second()).isInstanceOf(SaleSnapshot.class);
    assertThat(fingerprint(snapshotted.kit.getState(), snapshotted.now())).isEqualTo(before);
    assertRemainingHoldsStillExpire(snapshotted);
    assertThat(snapshotted.reserve("frank").replyOfType(OrderDetails.class).order().id())
        .isEqualTo(snapshotted.saleId + "-6");
  }

  @Test
  void snapshotRoundTripsThroughJacksonCbor() {
    arrangeOrdersInEveryState(sale);
    SaleState state = sale.kit.getState();
    SaleSnapshot snapshot = state.toSnapshot();

    SaleSnapshot back = roundTrip(snapshot);

    assertThat(back).isEqualTo(snapshot);
    assertThat(fingerprint(SaleState.fromSnapshot(back), sale.now())).isEqualTo(fingerprint(state, sale.now()));
  }

  @Test
  void bigSnapshotsAreWrittenCompressedAndUncompressedOnesStillRead() {
    List<Order> orders = new ArrayList<>();
    for (long no = 1; no <= 2_000; no++) {
      orders.add(new Order(no, UUID.randomUUID().toString(), 1, null, OPENS, OPENS.plusSeconds(300)));
    }
    SaleSnapshot big = new SaleSnapshot("sale", true, "product", PRICE, 2_000, OPENS, OPENS.plusSeconds(3_600), 1,
        300, false, 0, 0, 0, 2_000, orders, Map.of(), Map.of(), null, Map.of(), Map.of(), null,
        null);
    ActorTestKit uncompressed = ActorTestKit.create("UncompressedCbor", ConfigFactory.parseString(
            "akka.serialization.jackson.jackson-cbor.compression.algorithm = off")
        .withFallback(ConfigFactory.parseResources("serialization.conf")));
    try {
      byte[] before = SerializationExtension.get(uncompressed.system().classicSystem()).serialize(big).get();
      byte[] written = cbor(big);
      assertThat(written.length).isLessThan(before.length / 2);

      Serialization current = serialization();
      Serializer serializer = current.findSerializerFor(big);
      String manifest = Serializers.manifestFor(serializer, big);
      assertThat(current.deserialize(written, serializer.identifier(), manifest).get()).isEqualTo(big);
      assertThat(current.deserialize(before, serializer.identifier(), manifest).get()).isEqualTo(big);
    } finally {
      uncompressed.shutdownTestKit();
    }
  }

  @Test
  void repliesRoundTripThroughJacksonCbor() {
    sale.createLive(10, 2, 300);
    List<SaleReply> replies = new ArrayList<>();
    replies.add(sale.reserve("alice", 2, "key-1").reply());
    replies.add(sale.beginPayment(1, "alice").reply());
    replies.add(sale.confirm(1, "pay-1").reply());
    replies.add(sale.get().reply());
    replies.add(sale.reserve("bob", 3, null).reply());

    assertThat(replies).allSatisfy(reply -> assertThat(roundTrip(reply)).isEqualTo(reply));
    assertThat(replies).extracting(r -> r.getClass().getSimpleName())
        .containsExactly("OrderDetails", "ReadyToPay", "OrderDetails", "SaleDetails", "Rejected");
  }

  @Test
  void releasesHoldsThatFellDueWhileItWasDown() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(301));

    sale.kit.restart();

    awaitAssert(() -> assertThat(sale.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED));
    assertThat(sale.stats().available()).isEqualTo(10);
  }

  @Test
  void rearmsItsExpiryTimerAfterRecovery() {
    SaleHarness live = new SaleHarness(testKit.system(), Clock.systemUTC(), SETTINGS);
    Instant now = Instant.now();
    live.create(new SaleTerms("product-1", PRICE, 5, now.minusSeconds(60), now.plusSeconds(3600), 1, 2));
    long orderNo = live.reserved("alice");

    live.kit.restart();

    awaitAssert(() -> assertThat(live.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED));
    assertThat(live.stats().available()).isEqualTo(5);
  }

  // ---- helpers ----

  /** How many events {@link #arrangeOrdersInEveryState} persists. */
  private static final int EVENTS_TO_ARRANGE = 12;

  /**
   * Orders in every state, at T = OPENS: erin's #1 (T, expired at T+300), alice's #2 (bought, key "key-a"),
   * bob's #3 (2 units, key "key-b", expires T+400), carol's #4 (expires T+400, being paid since T+380,
   * so protected until T+410), dave's #5 (cancelled); 3 units added. The clock stops at T+380.
   */
  private static void arrangeOrdersInEveryState(SaleHarness s) {
    s.createLive(10, 2, 300);
    s.reserved("erin");
    s.advance(Duration.ofSeconds(100));
    long alices = orderNo(s.reserve("alice", 1, "key-a").replyOfType(OrderDetails.class).order());
    s.beginPayment(alices, "alice").replyOfType(ReadyToPay.class);
    s.confirm(alices, "pay-alice").replyOfType(OrderDetails.class);
    s.reserve("bob", 2, "key-b").replyOfType(OrderDetails.class);
    s.reserved("carol");
    long daves = s.reserved("dave");
    s.cancelOrder(daves, "dave").replyOfType(OrderDetails.class);
    s.advance(Duration.ofSeconds(200));
    assertThat(s.expireHolds().events()).hasSize(1);
    s.change(null, null, 3).replyOfType(SaleDetails.class);
    s.advance(Duration.ofSeconds(80));
    s.beginPayment(4, "carol").replyOfType(ReadyToPay.class);

    SaleView stats = s.stats();
    assertThat(List.of(stats.stock(), stats.available(), stats.reserved(), stats.confirmed(), stats.released()))
        .containsExactly(13, 9, 3, 1, 2);
  }

  /** After {@link #arrangeOrdersInEveryState}: bob's hold expires at T+400, carol's (being paid) at T+410. */
  private static void assertRemainingHoldsStillExpire(SaleHarness s) {
    s.setTime(OPENS.plusSeconds(400));
    assertThat(s.expireHolds().events()).containsExactly(new HoldsExpired(List.of(3L), s.now()));
    s.setTime(OPENS.plusSeconds(410));
    assertThat(s.expireHolds().events()).containsExactly(new HoldsExpired(List.of(4L), s.now()));
    SaleView stats = s.stats();
    assertThat(stats.available()).isEqualTo(12);
    assertThat(stats.reserved()).isZero();
    assertThat(stats.released()).isEqualTo(5);
  }

  private static Pair<SnapshotMeta, Object> latest(List<Pair<SnapshotMeta, Object>> snapshots) {
    assertThat(snapshots).isNotEmpty();
    return snapshots.stream().max(Comparator.comparingLong(p -> p.first().sequenceNr())).orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) {
    Serializer serializer = serialization().findSerializerFor(value);
    return (T) serialization()
        .deserialize(cbor(value), serializer.identifier(), Serializers.manifestFor(serializer, value)).get();
  }

  private static void awaitAssert(Runnable assertion) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertion.run();
      return null;
    });
  }
}
