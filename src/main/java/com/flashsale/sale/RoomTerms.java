package com.flashsale.sale;

import java.time.Instant;

/**
 * A sale's waiting room as its admin set it (a sale without one has none: purchases need no pass). Buyers may
 * join from {@code prequeueOpensAt}; joining costs a proof of work of {@code difficulty} zero bits; buyers are
 * admitted at {@code admissionRate} a second, or, at 0, as fast as the units left can take them; {@code paused}
 * admits no one.
 */
public record RoomTerms(Instant prequeueOpensAt, int difficulty, int admissionRate, boolean paused) {

  public static final int MIN_DIFFICULTY = 1;
  public static final int MAX_DIFFICULTY = 30;
  /** About 4,000 hashes: measured at a fraction of a second in a headless browser's Web Crypto. */
  public static final int DEFAULT_DIFFICULTY = 12;
  public static final int MAX_ADMISSION_RATE = 100_000;
  /** A new room's pre-queue opens this long before the start, unless its admin says otherwise. */
  public static final java.time.Duration DEFAULT_PREQUEUE = java.time.Duration.ofMinutes(15);

  public boolean auto() {
    return admissionRate == 0;
  }

  /** These terms with a change applied; a null part of the change keeps that part. */
  public RoomTerms with(RoomChange change) {
    return new RoomTerms(
        change.prequeueOpensAt() != null ? change.prequeueOpensAt() : prequeueOpensAt,
        change.difficulty() != null ? change.difficulty() : difficulty,
        change.admissionRate() != null ? change.admissionRate() : admissionRate,
        change.paused() != null ? change.paused() : paused);
  }

  /**
   * An admin's change to a sale's room: {@code enabled} false removes the room; otherwise it opens the room (if
   * the sale has none: with defaults for what is not given) and changes the parts that are not null.
   */
  public record RoomChange(Boolean enabled, Instant prequeueOpensAt, Integer difficulty, Integer admissionRate,
      Boolean paused) {

    /** The room after this change (null: none) of a sale starting at {@code startsAt}. */
    public RoomTerms applyTo(RoomTerms room, Instant startsAt) {
      if (Boolean.FALSE.equals(enabled)) {
        return null;
      }
      RoomTerms base = room != null ? room
          : new RoomTerms(startsAt.minus(DEFAULT_PREQUEUE), DEFAULT_DIFFICULTY, 0, false);
      return base.with(this);
    }
  }
}
