package com.flashsale.waitingroom;

import com.flashsale.sale.LiveCounts;
import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.RoomUpdate;
import com.flashsale.sale.SaleView;
import com.flashsale.waitingroom.QueueStatus.State;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a ticket stands when it checks in, on a poll or on its stream: the check-in is counted for this period
 * ({@link RoomBoard}), the ticket is admitted once the room's watermark has passed its rank (its pass runs from
 * then), and its position is read from the room's counts, never above the one its buyer was last shown (the
 * ticket carries it, so this holds across nodes and reconnections).
 */
final class CheckIns {

  /** The ticket to hand back (checked in now), and the answer. */
  record CheckedIn(Tickets.Ticket ticket, QueueStatus status) {}

  private final RoomBoard board;
  private final Tickets tickets;
  private final Clock clock;

  CheckIns(RoomBoard board, Tickets tickets, Clock clock) {
    this.board = board;
    this.tickets = tickets;
    this.clock = clock;
  }

  CheckedIn checkIn(Tickets.Ticket ticket, SaleView sale) {
    Instant now = clock.instant();
    if (!sale.hasRoom()) {
      return answer(ticket, sale, State.OPEN, null, null, null, false);
    }
    if (ticket.admittedAt() == null) {
      board.checkIn(ticket.saleId(), ticket.rank(), ticket.seenAt());
    }
    Optional<RoomBoard.Heard> heard = board.latest(ticket.saleId());
    Optional<RoomUpdate> update = heard.map(RoomBoard.Heard::update);
    Tickets.Ticket current = ticket;
    if (ticket.admittedAt() == null && update.isPresent() && ticket.rank() < update.get().watermark()) {
      current = ticket.admitted(now);
    }
    if (current.admittedAt() != null) {
      return answer(current, sale, tickets.passRanOut(current) ? State.PASS_EXPIRED : State.ADMITTED, 0L, null, 0L,
          false);
    }
    if (update.isEmpty()) {
      // This node has not heard the room yet (it has just started following it): ask again shortly.
      return answer(current, sale, now.isBefore(sale.startsAt()) ? State.PREQUEUE : State.WAITING, null, null, null,
          true);
    }
    RoomUpdate room = update.get();
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
    Long eta = position == null || room.rate() <= 0 ? null
        : (long) Math.ceil(Math.max(position / room.rate(), secondsUntilCounted(ticket, sale, now)));
    boolean near = eta != null && eta <= board.settings().heartbeat().toSeconds();
    long waiting = Math.round(counts.from(room.watermark()));
    return answer(current.shown(position), sale, state, position, position == null ? waiting : Math.max(waiting, position),
        eta, near);
  }

  /**
   * A ticket is admitted only once a full window of the nodes' counts covers it: after the end of the period it
   * joined in (for the pre-queue, the period of the start), and a quarter period for the reports to arrive.
   */
  private double secondsUntilCounted(Tickets.Ticket ticket, SaleView sale, Instant now) {
    RoomSettings settings = board.settings();
    Instant joined = QueueRanks.isPrequeue(ticket.rank()) ? sale.startsAt() : ticket.joinedAt();
    Instant counted = settings.periodStart(settings.period(joined) + 1).plus(settings.heartbeat().dividedBy(4));
    return Math.max(0, java.time.Duration.between(now, counted).toMillis() / 1000.0);
  }

  private CheckedIn answer(Tickets.Ticket ticket, SaleView sale, State state, Long position, Long waiting, Long eta,
      boolean soon) {
    Tickets.Signed signed = tickets.sign(ticket);
    String pass = null;
    Instant passExpiresAt = null;
    if (state == State.ADMITTED) {
      Tickets.Signed admission = tickets.pass(ticket);
      pass = admission.token();
      passExpiresAt = admission.expiresAt();
    }
    Tickets.Ticket signedTicket = new Tickets.Ticket(ticket.userId(), ticket.saleId(), ticket.rank(),
        ticket.joinedAt(), clock.instant(), ticket.admittedAt(), ticket.shownPosition());
    return new CheckedIn(signedTicket, new QueueStatus(state, position, waiting, eta, sale.startsAt(), signed.token(),
        signed.expiresAt(), soon ? 1 : checkInAfter(), pass, passExpiresAt));
  }

  /** Somewhat within each heartbeat period, so that every period counts the ticket. */
  private int checkInAfter() {
    return (int) Math.max(1, board.settings().heartbeat().toMillis() * 4 / 5 / 1000);
  }
}
