package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.fingerprint;
import static com.flashsale.sale.SaleHarness.orderNo;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleEvent.HoldsExpired;
import com.flashsale.sale.SaleEvent.SaleCreated;
import com.flashsale.sale.SaleEvent.UnitsReserved;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.ReadyToPay;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.testing.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/architecture.md rule 2: a failed journal write leaves no trace. Akka applies a write's events to the running
 * state before the write completes and restarts the entity from the journal when it fails; afterwards the
 * entity answers exactly as the journal says (stats, new orders and their numbers, payments), and a restart
 * recovers the very same state. Each case runs with a snapshot after every event and without snapshots.
 */
class SaleFailedWriteTest extends SaleSpec {

  private static final int NO_SNAPSHOTS = 1_000_000;
  private static final int SNAPSHOT_EVERY_EVENT = 1;

  private SaleHarness saleSnapshottingEvery(int events) {
    return new SaleHarness(testKit.system(), new TestClock(OPENS), SaleHarness.settings(events));
  }

  @ParameterizedTest
  @ValueSource(ints = {NO_SNAPSHOTS, SNAPSHOT_EVERY_EVENT})
  void aFailedReservationIsAnsweredRetryAndLeavesNoUnitOrOrderNumberBehind(int snapshotEvery) {
    SaleHarness s = saleSnapshottingEvery(snapshotEvery);
    s.createLive(2, 1, 300);
    s.kit.persistenceTestKit().failNextPersisted(s.persistenceId());

    Rejected failed = s.reserve("alice").replyOfType(Rejected.class);

    assertThat(failed.code()).isEqualTo(ErrorCode.OVERLOADED);
    SaleView stats = s.stats();
    assertThat(List.of(stats.available(), stats.reserved(), stats.confirmed())).containsExactly(2, 0, 0);
    long bobs = s.reserved("bob");
    assertThat(bobs).as("the failed write's order number is free again").isEqualTo(1);
    long alices = s.reserved("alice");
    s.beginPayment(alices, "alice").replyOfType(ReadyToPay.class);
    s.confirm(alices, "pay-alice").replyOfType(OrderDetails.class);
    assertThat(s.reserve("carol").replyOfType(Rejected.class).code()).isEqualTo(ErrorCode.SOLD_OUT);
    assertJournalAndRestartAgree(s, 0, 1, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {NO_SNAPSHOTS, SNAPSHOT_EVERY_EVENT})
  void aFailedConfirmationLeavesTheHoldBeingPaidAndCanBeConfirmedAgain(int snapshotEvery) {
    SaleHarness s = saleSnapshottingEvery(snapshotEvery);
    s.createLive(2, 1, 300);
    long orderNo = s.reserved("alice");
    s.beginPayment(orderNo, "alice").replyOfType(ReadyToPay.class);
    s.kit.persistenceTestKit().failNextPersisted(s.persistenceId());

    assertThat(s.confirm(orderNo, "pay-1").replyOfType(Rejected.class).code()).isEqualTo(ErrorCode.OVERLOADED);

    assertThat(s.order(orderNo).status()).isEqualTo(OrderStatus.RESERVED);
    assertThat(s.stats().confirmed()).isZero();
    assertThat(s.confirm(orderNo, "pay-1").replyOfType(OrderDetails.class).order().status())
        .isEqualTo(OrderStatus.CONFIRMED);
    assertJournalAndRestartAgree(s, 1, 0, 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {NO_SNAPSHOTS, SNAPSHOT_EVERY_EVENT})
  void aFailedBatchLeavesNoHoldAndAnswersEveryWaiterAndItsBatcher(int snapshotEvery) {
    SaleHarness s = saleSnapshottingEvery(snapshotEvery);
    s.createLive(2, 1, 300);
    s.kit.persistenceTestKit().failNextPersisted(s.persistenceId());

    SaleHarness.Batch batch = s.reserveBatch(testKit, List.of(new SaleHarness.Request("a", 1, null),
        new SaleHarness.Request("b", 1, "key-b"), new SaleHarness.Request("c", 1, null)));

    assertThat(((Rejected) batch.answer(2)).code()).as("decided without a write").isEqualTo(ErrorCode.SOLD_OUT);
    assertThat(((Rejected) batch.answer(0)).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(((Rejected) batch.answer(1)).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(batch.result().reply()).as("the batcher's lane is free at once").isInstanceOf(Rejected.class);
    assertThat(s.stats().available()).isEqualTo(2);
    OrderDetails retried = s.reserve("b", 1, "key-b").replyOfType(OrderDetails.class);
    assertThat(retried.created()).as("the key names no order: the retry buys").isTrue();
    assertJournalAndRestartAgree(s, 1, 1, 0);
  }

  @ParameterizedTest
  @ValueSource(ints = {NO_SNAPSHOTS, SNAPSHOT_EVERY_EVENT})
  void aFailedExpiryLeavesTheHoldsOpenUntilTheNextExpiryReleasesThem(int snapshotEvery) {
    SaleHarness s = saleSnapshottingEvery(snapshotEvery);
    s.createLive(2, 1, 300);
    long orderNo = s.reserved("alice");
    s.advance(Duration.ofSeconds(301));
    s.kit.persistenceTestKit().failNextPersisted(s.persistenceId());

    s.expireHolds();

    // Recovered, the entity finds the hold due and releases it by itself.
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(s.kit.persistenceTestKit().persistedInStorage(s.persistenceId()))
          .containsOnlyOnce(new HoldsExpired(List.of(orderNo), s.now()));
      return null;
    });
    assertThat(s.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED);
    assertJournalAndRestartAgree(s, 2, 0, 0);
  }

  /**
   * After the scenario: the journal holds only what was answered, and a restart recovers exactly the state
   * the entity served, with these counts.
   */
  private static void assertJournalAndRestartAgree(SaleHarness s, int available, int reserved, int confirmed) {
    Map<String, Object> served = fingerprint(s.kit.getState(), s.now());
    SaleView stats = s.stats();
    assertThat(List.of(stats.available(), stats.reserved(), stats.confirmed()))
        .containsExactly(available, reserved, confirmed);
    List<Object> journal = s.kit.persistenceTestKit().persistedInStorage(s.persistenceId());
    assertThat(journal).first().isInstanceOf(SaleCreated.class);
    assertThat(journal.stream().filter(e -> e instanceof UnitsReserved || e instanceof SaleEvent.HoldsTaken).count())
        .as("holds in the journal").isEqualTo(reserved + confirmed + stats.released());

    s.kit.restart();

    assertThat(fingerprint(s.kit.getState(), s.now())).isEqualTo(served);
  }
}
