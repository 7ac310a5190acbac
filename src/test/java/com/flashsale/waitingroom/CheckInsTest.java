package com.flashsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.RoomTerms;
import com.flashsale.sale.RoomUpdate;
import com.flashsale.sale.RoomUpdate.Phase;
import com.flashsale.sale.SaleStatus;
import com.flashsale.sale.SaleView;
import com.flashsale.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * When a waiting buyer is asked to check in again, and how that check-in is counted: seldom far back, within a
 * heartbeat near the front, and counted exactly once in every heartbeat period until the next check-in is due,
 * whichever node the buyer comes back to.
 */
class CheckInsTest {

  private static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";
  private static final UUID SALE = UUID.randomUUID();
  private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
  /** Heartbeat 5 s (asked every 4 s), abandon after 20 s, at most every 30 s, automatic rooms up to 1,000/s. */
  private static final RoomSettings SETTINGS = new RoomSettings(Duration.ofMillis(500), Duration.ofSeconds(5),
      Duration.ofSeconds(20), Duration.ofSeconds(60), 1_000, Duration.ofSeconds(30));
  /** 1,000 units: 950 sold, 50 held. */
  private static final SaleView VIEW = new SaleView(SALE.toString(), "product", BigDecimal.TEN, 1_000, 0, 50, 950, 0,
      SaleStatus.LIVE, START, START.plus(Duration.ofHours(2)), 2, 300,
      new RoomTerms(START.minus(Duration.ofMinutes(15)), 12, 0, false));
  /** Where admission stands in these tests: past everyone who arrived in the first 5 s. */
  private static final long WATERMARK = QueueRanks.arrivalsFrom(START.plusSeconds(5));

  private final TestClock clock = new TestClock(START.plusSeconds(60));
  private final Tickets tickets = new Tickets(SECRET, SETTINGS, clock);

  /** A node's board that has heard the room: {@code ahead} buyers waiting who arrived 10 s after the start. */
  private RoomBoard board(Phase phase, long watermark, double ahead, double rate) {
    RoomBoard board = new RoomBoard(SETTINGS, clock);
    Map<Long, Double> waiting = new TreeMap<>();
    waiting.put(QueueRanks.bucket(QueueRanks.arrivalsFrom(START.plusSeconds(10))), ahead);
    board.show(new RoomUpdate(SALE.toString(), phase, watermark, waiting, rate, 0, (long) ahead, 0, 0, START,
        clock.instant()));
    return board;
  }

  private QueueStatus checkIn(RoomBoard board, Tickets.Ticket ticket) {
    return new CheckIns(board, tickets, clock).checkIn(ticket, VIEW).status();
  }

  private Tickets.Ticket joining(Instant at) {
    return Tickets.Ticket.joining("alice", SALE, tickets.rankOf("alice", SALE, START, at), at);
  }

  private Tickets.Ticket read(QueueStatus status) {
    return ((Tickets.Valid) tickets.read(status.ticket(), SALE)).ticket();
  }

  /** How often the board counted a ticket in each period, through {@code period}: drained. */
  private static Map<Long, Integer> counted(RoomBoard board, long through) {
    Map<Long, Integer> perPeriod = new TreeMap<>();
    board.finishedBefore(through + 1).forEach(entry -> perPeriod.merge(entry.getKey().period(),
        entry.getValue().seenCounts().values().stream().mapToInt(Integer::intValue).sum(), Integer::sum));
    return perPeriod;
  }

  @Test
  void aBuyerFarBackChecksInSeldomAndIsCountedOnceInEveryPeriodUntilThenOnWhicheverNode() {
    RoomBoard first = board(Phase.ADMITTING, WATERMARK, 50_000, 500);
    RoomBoard second = board(Phase.ADMITTING, WATERMARK, 50_000, 500);
    Instant joinedAt = clock.instant();

    QueueStatus joined = checkIn(first, joining(joinedAt));

    // 50,000 ahead could not be admitted in under 50 s (1,000/s at most): asked back after half that, 25 s.
    assertThat(joined.position()).isEqualTo(50_001);
    assertThat(joined.checkInAfterSeconds()).isEqualTo(25);
    assertThat(joined.ticketExpiresAt()).isEqualTo(joinedAt.plusSeconds(25).plus(SETTINGS.abandonAfter()));
    // Back early (a reload) on another node: counted only in the periods its first check-in did not cover.
    clock.advance(Duration.ofSeconds(10));
    QueueStatus again = checkIn(second, read(joined));
    assertThat(again.checkInAfterSeconds()).isEqualTo(25);

    long from = SETTINGS.period(joinedAt);
    long through = SETTINGS.period(clock.instant().plusSeconds(25));
    Map<Long, Integer> both = new TreeMap<>(counted(first, through));
    counted(second, through).forEach((period, count) -> both.merge(period, count, Integer::sum));
    Map<Long, Integer> once = new TreeMap<>();
    for (long period = from; period <= through; period++) {
      once.put(period, 1);
    }
    assertThat(both).isEqualTo(once);
    assertThat(through - from).isEqualTo(7); // 60 s to 95 s after the start, in periods of 5 s
  }

  @Test
  void aBuyerNearTheFrontChecksInEveryHeartbeatOrEverySecondWhenTheTurnIsDue() {
    Tickets.Ticket arrived = joining(START.plusSeconds(20));

    assertThat(checkIn(board(Phase.ADMITTING, WATERMARK, 3_000, 500), arrived).checkInAfterSeconds())
        .as("3,000 ahead: 3 s at the fastest, 6 s at the room's rate").isEqualTo(4);
    assertThat(checkIn(board(Phase.ADMITTING, WATERMARK, 3, 500), arrived).checkInAfterSeconds())
        .as("due within a heartbeat").isEqualTo(1);
    assertThat(checkIn(board(Phase.UNITS_MAY_COME_BACK, WATERMARK, 200_000, 0), arrived).checkInAfterSeconds())
        .as("far back while units may come back: the longest interval").isEqualTo(30);
    assertThat(checkIn(board(Phase.UNITS_MAY_COME_BACK, WATERMARK, 30, 0), arrived).checkInAfterSeconds())
        .as("within the 50 open holds while units may come back").isEqualTo(4);
    assertThat(checkIn(board(Phase.UNITS_MAY_COME_BACK, WATERMARK, 60, 0), arrived).checkInAfterSeconds())
        .as("behind the 50 open holds while units may come back").isEqualTo(30);
  }

  @Test
  void aBuyerBehindMoreBuyersThanUnitsLeftAndOpenHoldsGetsNoEstimate() {
    Tickets.Ticket arrived = joining(START.plusSeconds(20));

    QueueStatus withinReach = checkIn(board(Phase.ADMITTING, WATERMARK, 40, 10), arrived);
    QueueStatus beyond = checkIn(board(Phase.ADMITTING, WATERMARK, 60, 10), arrived);

    assertThat(withinReach.position()).isEqualTo(41);
    assertThat(withinReach.etaSeconds()).as("41st, 50 units held: 41 at 10/s").isEqualTo(5);
    assertThat(beyond.position()).isEqualTo(61);
    assertThat(beyond.etaSeconds()).as("61st, 50 units held, none available").isNull();
  }

  @Test
  void beforeTheStartABuyerChecksInAfterHalfTheTimeLeftSoEveryoneIsBackAtTheStart() {
    clock.set(START.minus(Duration.ofMinutes(10)));
    Tickets.Ticket early = joining(clock.instant());

    assertThat(checkIn(board(Phase.PREQUEUE, 0, 0, 0), early).checkInAfterSeconds()).isEqualTo(30);
    clock.set(START.minusSeconds(20));
    assertThat(checkIn(board(Phase.PREQUEUE, 0, 0, 0), early).checkInAfterSeconds()).isEqualTo(10);
    clock.set(START.minusSeconds(6));
    assertThat(checkIn(board(Phase.PREQUEUE, 0, 0, 0), early).checkInAfterSeconds()).isEqualTo(4);
  }
}
