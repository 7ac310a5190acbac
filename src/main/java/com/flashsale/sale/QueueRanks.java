package com.flashsale.sale;

import java.time.Instant;

/**
 * The order of a waiting room: every ticket has a rank, and buyers are admitted in rank order. A buyer who joins
 * before the start gets a rank from a keyed hash of the buyer and the sale, below every later rank: the
 * pre-queue is shuffled without anyone coordinating (arriving early is worth nothing), and joining again gives
 * the same rank. A buyer who joins later gets a rank from the arrival time (epoch milliseconds, with hash bits
 * to break ties), so later joiners follow in arrival order.
 *
 * <p>Counts of waiting buyers are kept per bucket of ranks: 256 buckets share the pre-queue, and each second of
 * arrivals has one.
 */
public final class QueueRanks {

  /** The lowest rank of a buyer who joined after the start. */
  public static final long FIRST_ARRIVAL = 1L << 40;
  static final int PREQUEUE_BUCKETS = 256;
  private static final long PREQUEUE_BUCKET_WIDTH = FIRST_ARRIVAL / PREQUEUE_BUCKETS;
  private static final int TIE_BITS = 10;
  private static final long ARRIVAL_BUCKET_WIDTH = 1000L << TIE_BITS;

  private QueueRanks() {}

  /** The rank of a buyer who joined before the start; {@code hash} is the keyed hash of buyer and sale. */
  public static long prequeue(long hash) {
    return hash >>> (64 - 40);
  }

  /** The rank of a buyer who joined at {@code at}, after the start. */
  public static long arrival(Instant at, long hash) {
    return FIRST_ARRIVAL + (at.toEpochMilli() << TIE_BITS) + (hash & ((1L << TIE_BITS) - 1));
  }

  /** Below every rank of a buyer arriving at {@code at} or later. */
  public static long arrivalsFrom(Instant at) {
    return FIRST_ARRIVAL + (at.toEpochMilli() << TIE_BITS);
  }

  public static boolean isPrequeue(long rank) {
    return rank < FIRST_ARRIVAL;
  }

  public static long bucket(long rank) {
    return rank < FIRST_ARRIVAL
        ? rank / PREQUEUE_BUCKET_WIDTH
        : PREQUEUE_BUCKETS + (rank - FIRST_ARRIVAL) / ARRIVAL_BUCKET_WIDTH;
  }

  static long bucketStart(long bucket) {
    return bucket < PREQUEUE_BUCKETS
        ? bucket * PREQUEUE_BUCKET_WIDTH
        : FIRST_ARRIVAL + (bucket - PREQUEUE_BUCKETS) * ARRIVAL_BUCKET_WIDTH;
  }

  /** The first rank after the bucket. */
  static long bucketEnd(long bucket) {
    return bucketStart(bucket + 1);
  }
}
