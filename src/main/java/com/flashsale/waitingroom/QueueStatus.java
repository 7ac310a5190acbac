package com.flashsale.waitingroom;

import java.time.Instant;

/**
 * What a waiting buyer is told, at each check-in (and on their stream): where they stand, a fresh ticket to
 * keep, when to check in again, and once admitted, the admission pass to buy with. {@code position} counts the
 * buyers ahead plus one (null before the start, when the order is not drawn yet); {@code etaSeconds} is null
 * while no admission is expected, or no unit is in sight for this buyer (more buyers ahead than units left and
 * holds that may come back).
 */
public record QueueStatus(State state, Long position, Long waiting, Long etaSeconds, Instant startsAt,
    String ticket, Instant ticketExpiresAt, int checkInAfterSeconds, String pass, Instant passExpiresAt) {

  /** Where a ticket stands. */
  public enum State {
    /** Before the start: the order is drawn at the start. */
    PREQUEUE,
    WAITING,
    /** Admission is paused by the shop. */
    PAUSED,
    /** No unit is left, but holds are open: units may come back. */
    UNITS_MAY_COME_BACK,
    /** Admitted: buy with {@code pass} before {@code passExpiresAt}. */
    ADMITTED,
    /** Admitted, but the pass ran out unused: join again. */
    PASS_EXPIRED,
    SOLD_OUT,
    /** The sale ended or was cancelled. */
    CLOSED,
    /** The sale has no waiting room (any more): buy directly. */
    OPEN;

    /** Nothing will change for this ticket any more. */
    public boolean isFinal() {
      return this == ADMITTED || this == PASS_EXPIRED || this == SOLD_OUT || this == CLOSED || this == OPEN;
    }
  }
}
