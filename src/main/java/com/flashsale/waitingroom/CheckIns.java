package com.flashsale.waitingroom;

import com.flashsale.sale.LiveCounts;
import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.RoomUpdate;
import com.flashsale.sale.SaleView;
import com.flashsale.waitingroom.QueueStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a ticket stands when it checks in, on a poll or on its stream: the ticket is admitted once the room's
 * watermark has passed its rank (its pass runs from then), its position is read from the room's counts, never
 * above the one its buyer was last shown (the ticket carries it, so this holds across nodes and reconnections),
 * and the buyer is told when to check in again: within a heartbeat near the front, seldom far back. A waiting
 * ticket is counted ({@link RoomBoard}) until that next check-in is due.
 */
final class CheckIns {

  /** The ticket to hand back (checked in now), and the answer. */
  record CheckedIn(Tickets.Ticket ticket, QueueStatus status) {}

  private static final Duration SOON = Duration.ofSeconds(1);

  private final RoomBoard board;
  private final RoomSettings settings;
  private final Tickets tickets;
  private final Clock clock;

  CheckIns(RoomBoard board, Tickets tickets, Clock clock) {
    this.board = board;
    this.settings = board.settings();
    this.tickets = tickets;
    this.clock = clock;
  }

  CheckedIn checkIn(Tickets.Ticket ticket, SaleView sale) {
    Instant now = clock.instant();
    if (!sale.hasRoom()) {
      return answer(ticket.checkedIn(now, null, ticket.countedThrough()), sale, State.OPEN, null, null, null,
          usualInterval());
    }
    Optional<RoomBoard.Heard> heard = board.latest(ticket.saleId());
    Tickets.Ticket current = ticket;
    if (ticket.admittedAt() == null && heard.isPresent() && ticket.rank() < heard.get().update().watermark()) {
      current = ticket.admitted(now);
    }
    if (current.admittedAt() != null) {
      State state = tickets.passRanOut(current) ? State.PASS_EXPIRED : State.ADMITTED;
      return answer(current.checkedIn(now, current.shownPosition(), current.countedThrough()), sale, state, 0L, null,
          0L, usualInterval());
    }
    if (heard.isEmpty()) {
      // This node has not heard the room yet (it has just started following it): ask again shortly.
      return waiting(current, now, sale, now.isBefore(sale.startsAt()) ? State.PREQUEUE : State.WAITING, null, null,
          null, SOON);
    }
    RoomUpdate room = heard.get().update();
    LiveCounts counts = heard.get().counts();
    State state = switch (room.phase()) {
      case PREQUEUE -> State.PREQUEUE;
      case ADMITTING -> State.WAITING;
      case PAUSED -> State.PAUSED;
      case UNITS_MAY_COME_BACK -> State.UNITS_MAY_COME_BACK;
      case SOLD_OUT -> State.SOLD_OUT;
      case CLOSED -> State.CLOSED;
    };
    Long position = null;
    if (state != State.PREQUEUE) {
      position = Math.round(counts.between(room.watermark(), ticket.rank())) + 1;
      if (ticket.shownPosition() != null && ticket.shownPosition() < position) {
        position = ticket.shownPosition();
      }
    }
    // No estimate for a buyer with no unit in sight: the rate of the moment says nothing about when (or whether)
    // their turn comes.
    Long eta = position == null || room.rate() <= 0 || position > unitsInSight(sale) ? null
        : (long) Math.ceil(Math.max(position / room.rate(), secondsUntilCounted(ticket, sale, now)));
    boolean near = eta != null && eta <= settings.heartbeat().toSeconds();
    long waiting = Math.round(counts.from(room.watermark()));
    return waiting(current, now, sale, state, position, position == null ? waiting : Math.max(waiting, position), eta,
        near ? SOON : checkInAfter(state, position, room.rate(), sale, now));
  }

  /** A ticket still waiting: counted until its next check-in, then answered. */
  private CheckedIn waiting(Tickets.Ticket ticket, Instant now, SaleView sale, State state, Long position,
      Long waiting, Long eta, Duration after) {
    // A ticket from before tickets carried the period they are counted through was counted in its last one.
    Long counted = ticket.countedThrough();
    if (counted == null && ticket.seenAt() != null) {
      counted = settings.period(ticket.seenAt());
    }
    long through = board.checkIn(ticket.saleId(), ticket.rank(), counted, ticket.seenAt() == null, now.plus(after));
    return answer(ticket.checkedIn(now, position, through), sale, state, position, waiting, eta, after);
  }

  /**
   * A ticket is admitted only once a full window of the nodes' counts covers it: after the end of the period it
   * joined in (for the pre-queue, the period of the start), and a quarter period for the reports to arrive.
   */
  private double secondsUntilCounted(Tickets.Ticket ticket, SaleView sale, Instant now) {
    Instant joined = QueueRanks.isPrequeue(ticket.rank()) ? sale.startsAt() : ticket.joinedAt();
    Instant counted = settings.periodStart(settings.period(joined) + 1).plus(settings.heartbeat().dividedBy(4));
    return Math.max(0, Duration.between(now, counted).toMillis() / 1000.0);
  }

  /**
   * When a buyer whose turn is not near checks in next: after half the least time they can still wait (until the
   * start; or their place at the fastest rate this room could admit), so that a buyer far back asks seldom yet
   * is back long before the watermark could reach them; between a heartbeat and {@code longest-check-in}. While
   * no unit is left, anyone further back than the units in sight (the open holds, which may come back) asks at
   * the longest interval (a stream hears any change of phase at once). This is what keeps a
   * big room's check-ins to a fraction of one a heartbeat per buyer.
   */
  private Duration checkInAfter(State state, Long position, double rate, SaleView sale, Instant now) {
    double fastest = Math.max(rate, Math.max(settings.autoMaxRate(), sale.room().admissionRate()));
    double leastWait = switch (state) {
      case PREQUEUE -> Duration.between(now, sale.startsAt()).toMillis() / 1000.0;
      case UNITS_MAY_COME_BACK -> position == null ? 0
          : position > unitsInSight(sale) ? Double.MAX_VALUE : (position - 1) / fastest;
      case WAITING, PAUSED -> position == null ? 0 : (position - 1) / fastest;
      default -> 0;
    };
    long seconds = Math.min((long) (leastWait / 2), settings.longestCheckIn().toSeconds());
    return seconds <= usualInterval().toSeconds() ? usualInterval() : Duration.ofSeconds(seconds);
  }

  /**
   * The buyers who could be let in without any new hold coming and going first: one for each unit left and each
   * open hold that may come back.
   */
  private static long unitsInSight(SaleView sale) {
    return (long) sale.available() + sale.reserved();
  }

  /** The check-in interval near the front: somewhat within each heartbeat period, so every period counts it. */
  private Duration usualInterval() {
    return Duration.ofSeconds(Math.max(1, settings.heartbeat().toMillis() * 4 / 5 / 1000));
  }

  private CheckedIn answer(Tickets.Ticket ticket, SaleView sale, State state, Long position, Long waiting, Long eta,
      Duration after) {
    Tickets.Signed signed = tickets.sign(ticket, ticket.seenAt().plus(after));
    String pass = null;
    Instant passExpiresAt = null;
    if (state == State.ADMITTED) {
      Tickets.Signed admission = tickets.pass(ticket);
      pass = admission.token();
      passExpiresAt = admission.expiresAt();
    }
    return new CheckedIn(ticket, new QueueStatus(state, position, waiting, eta, sale.startsAt(), signed.token(),
        signed.expiresAt(), (int) after.toSeconds(), pass, passExpiresAt));
  }
}
