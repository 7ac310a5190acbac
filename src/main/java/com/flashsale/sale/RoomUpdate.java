package com.flashsale.sale;

import com.flashsale.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * What a sale with a waiting room publishes to every node at each of its room's ticks (topic
 * {@link #topicName}): where admission stands, and the waiting buyers per bucket of ranks, from which a node
 * answers each buyer's position and ETA without crossing the cluster. {@code rate} is the admissions per second
 * to expect (0: unknown, none expected). {@code admitted}, {@code joined} and {@code abandoned} (left before their
 * turn) are running totals, estimated from the nodes' counts.
 */
public record RoomUpdate(String saleId, Phase phase, long watermark, Map<Long, Double> waiting, double rate,
    long admitted, long joined, int purchased, long abandoned, Instant startsAt, Instant at)
    implements CborSerializable {

  /** Where a room stands. */
  public enum Phase {
    /** Before the start: buyers join; the order is drawn at the start. */
    PREQUEUE,
    ADMITTING,
    /** An admin paused admission. */
    PAUSED,
    /** No unit is left, but holds are open: units may come back, and admission resumes if they do. */
    UNITS_MAY_COME_BACK,
    /** No unit is left and none can come back. */
    SOLD_OUT,
    /** The sale ended or was cancelled. */
    CLOSED
  }

  public static String topicName(String saleId) {
    return "room-" + saleId;
  }

  /** This update in another phase, now (a write changed the phase between two ticks). */
  RoomUpdate inPhase(Phase next, Instant now) {
    return new RoomUpdate(saleId, next, watermark, waiting, next == Phase.ADMITTING ? rate : 0, admitted, joined,
        purchased, abandoned, startsAt, now);
  }

  public LiveCounts counts() {
    return LiveCounts.of(waiting);
  }
}
