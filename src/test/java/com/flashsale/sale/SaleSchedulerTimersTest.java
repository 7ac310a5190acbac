package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.flashsale.testing.Eventually;
import com.flashsale.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sale scheduler (docs/architecture.md rule 5) against sales held in memory, with time moved by the test: which
 * sale it wakes when. {@code SaleSchedulerTest} shows the same end to end, on real nodes.
 */
class SaleSchedulerTimersTest {

  private static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration KEEP_RUNNING = Duration.ofSeconds(30);
  private static final Duration CATCH_UP = Duration.ofMinutes(1);
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  /** A command the scheduler sent to a sale entity. */
  private record Sent(String saleId, SaleCommand command) {}

  private ActorTestKit testKit;
  private ManualTime time;
  private TestClock clock;
  private InMemorySaleCatalog catalog;
  private TestProbe<Sent> entities;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ManualTime.config());
    time = ManualTime.get(testKit.system());
    clock = new TestClock(T0);
    catalog = new InMemorySaleCatalog();
    entities = testKit.createTestProbe();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** Starts the scheduler and waits until it has read the sales {@code polls} times. */
  private void startScheduler(int polls) {
    ActorRef<Sent> sent = entities.getRef();
    testKit.spawn(SaleScheduler.create(catalog, clock, new SaleScheduler.Settings(POLL, KEEP_RUNNING, CATCH_UP),
        (saleId, command) -> sent.tell(new Sent(saleId, command))));
    awaitReads(polls);
  }

  /** Waits for the scheduler's {@code n}th read, then gives it a moment to arm its timers from the answer. */
  private void awaitReads(int n) {
    Eventually.eventually(Duration.ofSeconds(5), () -> assertThat(catalog.reads()).isGreaterThanOrEqualTo(n));
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(100));
  }

  /** Moves the node's clock and the scheduler's timers together. */
  private void pass(Duration duration) {
    clock.advance(duration);
    time.timePasses(duration);
  }

  private String sale(Instant startsAt, Instant endsAt, int reserved, boolean cancelled) {
    String id = UUID.randomUUID().toString();
    SaleStatus status = SaleStatus.at(clock.instant(), cancelled, startsAt, endsAt, 10 - reserved);
    catalog.put(new SaleView(id, UUID.randomUUID().toString(), BigDecimal.TEN, 10, 10 - reserved, reserved, 0, 0,
        status, startsAt, endsAt, 2, 60, null), 1);
    return id;
  }

  private Sent expectWake() {
    Sent sent = entities.expectMessageClass(Sent.class);
    assertThat(sent.command()).isInstanceOf(SaleCommand.WakeUp.class);
    return sent;
  }

  /** Moves time to {@code at}: the sale is woken then, and not a moment before. */
  private void expectWokenAt(String id, Instant at) {
    pass(Duration.between(clock.instant(), at).minusMillis(100));
    entities.expectNoMessage(Duration.ofMillis(100));
    pass(Duration.ofMillis(100));
    Sent woken = expectWake();
    assertThat(woken.saleId()).isEqualTo(id);
    assertThat(((SaleCommand.WakeUp) woken.command()).at()).isEqualTo(at);
  }

  private Set<String> expectWakes(int count) {
    Set<String> woken = new HashSet<>();
    for (int i = 0; i < count; i++) {
      woken.add(expectWake().saleId());
    }
    return woken;
  }

  @Test
  void wakesASaleAtItsStartNotBefore() {
    String id = sale(T0.plusSeconds(10), T0.plusSeconds(3_600), 0, false);
    startScheduler(1);
    assertThat(expectWake().saleId()).as("kept running while upcoming").isEqualTo(id);

    expectWokenAt(id, T0.plusSeconds(10));
  }

  @Test
  void wakesALiveSaleAtOnceWhenItStartsThenAtItsEnd() {
    String id = sale(T0.minusSeconds(600), T0.plusSeconds(10), 0, false);
    startScheduler(1);
    assertThat(expectWake().saleId()).as("a new scheduler wakes the live sales at once").isEqualTo(id);

    expectWokenAt(id, T0.plusSeconds(10));
  }

  @Test
  void keepsRunningEverySaleWithAStartOrEndAheadOrWorkLeftAndNoOther() {
    String live = sale(T0.minusSeconds(600), T0.plusSeconds(3_600), 0, false);
    String upcoming = sale(T0.plusSeconds(3_600), T0.plusSeconds(7_200), 0, false);
    String endedWithHolds = sale(T0.minusSeconds(7_200), T0.minusSeconds(3_600), 1, false);
    String endedPaying = sale(T0.minusSeconds(7_200), T0.minusSeconds(3_600), 0, false);
    catalog.paymentPending(endedPaying);
    String cancelledPaying = sale(T0.minusSeconds(600), T0.plusSeconds(3_600), 0, true);
    catalog.paymentPending(cancelledPaying);
    sale(T0.minusSeconds(7_200), T0.minusSeconds(3_600), 0, false); // long ended, nothing left
    sale(T0.minusSeconds(600), T0.plusSeconds(3_600), 0, true); // cancelled, nothing left
    startScheduler(1);
    Set<String> kept = Set.of(live, upcoming, endedWithHolds, endedPaying, cancelledPaying);
    assertThat(expectWakes(kept.size())).as("a new scheduler wakes them at once").isEqualTo(kept);
    entities.expectNoMessage(Duration.ofMillis(100));

    pass(KEEP_RUNNING);
    assertThat(expectWakes(kept.size())).isEqualTo(kept);
    entities.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void wakesAtOnceAStartMissedByLessThanTheCatchUpAndNotOneMissedByMore() {
    String justStarted = sale(T0.minusSeconds(30), T0.plusSeconds(3_600), 0, false);
    String justEnded = sale(T0.minusSeconds(7_200), T0.minusSeconds(30), 0, false);
    sale(T0.minusSeconds(7_200), T0.minus(CATCH_UP).minusSeconds(1), 0, false);
    startScheduler(1);
    // justStarted twice: for its missed start, and as a live sale the new scheduler keeps running.
    Set<String> woken = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      woken.add(expectWake().saleId());
    }
    assertThat(woken).containsExactlyInAnyOrder(justStarted, justEnded);
    entities.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void retriesAFailedReadAfterThePollInterval() {
    catalog.failNext(1);
    String live = sale(T0.minusSeconds(600), T0.plusSeconds(3_600), 0, false);
    startScheduler(1);
    entities.expectNoMessage(Duration.ofMillis(100));

    pass(POLL);
    awaitReads(2);
    // The first read that answers wakes the live sales: this scheduler may have just taken over.
    assertThat(expectWake().saleId()).isEqualTo(live);
  }

  @Test
  void followsAStartTheReadModelShowsMoved() {
    String id = sale(T0.plusSeconds(10), T0.plusSeconds(3_600), 0, false);
    startScheduler(1);
    assertThat(expectWake().saleId()).as("kept running while upcoming").isEqualTo(id);
    sale(id, T0.plusSeconds(20));
    pass(POLL);
    awaitReads(2);

    expectWokenAt(id, T0.plusSeconds(20));
  }

  /** The same sale, its start moved. */
  private void sale(String id, Instant startsAt) {
    catalog.move(id, startsAt);
  }
}
