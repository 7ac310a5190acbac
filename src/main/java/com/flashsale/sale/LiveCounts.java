package com.flashsale.sale;

import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How many buyers wait in a room, per bucket of ranks ({@link QueueRanks}): an estimate merged from what every
 * node saw, read as spread evenly over each bucket. Positions and the admission watermark are both read from it,
 * so a buyer's position and the moment they are admitted agree. Immutable.
 */
public final class LiveCounts {

  public static final LiveCounts EMPTY = new LiveCounts(new TreeMap<>());

  private final NavigableMap<Long, Double> byBucket;

  private LiveCounts(NavigableMap<Long, Double> byBucket) {
    this.byBucket = byBucket;
  }

  public static LiveCounts of(Map<Long, Double> byBucket) {
    TreeMap<Long, Double> copy = new TreeMap<>();
    byBucket.forEach((bucket, count) -> {
      if (count > 0) {
        copy.put(bucket, count);
      }
    });
    return new LiveCounts(copy);
  }

  /**
   * The average of several reports of distinct tickets seen per bucket ({@code periods} of them, some possibly
   * missing): a buyer who heartbeats once a period counts as one.
   */
  public static LiveCounts average(Collection<Map<Long, Integer>> reports, int periods) {
    TreeMap<Long, Double> sum = new TreeMap<>();
    for (Map<Long, Integer> report : reports) {
      report.forEach((bucket, seen) -> sum.merge(bucket, (double) seen / periods, Double::sum));
    }
    return of(sum);
  }

  /** Per bucket, the larger of two counts. */
  public static LiveCounts larger(LiveCounts a, LiveCounts b) {
    TreeMap<Long, Double> max = new TreeMap<>(a.byBucket);
    b.byBucket.forEach((bucket, count) -> max.merge(bucket, count, Math::max));
    return new LiveCounts(max);
  }

  public Map<Long, Double> byBucket() {
    return byBucket;
  }

  /** Buyers waiting with ranks in [{@code from}, {@code to}). */
  public double between(long from, long to) {
    if (to <= from) {
      return 0;
    }
    double total = 0;
    Long first = byBucket.floorKey(QueueRanks.bucket(from));
    for (Map.Entry<Long, Double> entry : byBucket.tailMap(first == null ? Long.MIN_VALUE : first, true).entrySet()) {
      long start = QueueRanks.bucketStart(entry.getKey());
      if (start >= to) {
        break;
      }
      total += entry.getValue() * overlap(entry.getKey(), from, to);
    }
    return total;
  }

  /** Buyers waiting at or above {@code from}. */
  public double from(long from) {
    return between(from, Long.MAX_VALUE);
  }

  /** Where a watermark at {@code from} moves to admit {@code budget} buyers, never past {@code limit}. */
  public record Advance(long watermark, double admitted) {}

  public Advance advance(long from, double budget, long limit) {
    if (budget <= 0 || limit <= from) {
      return new Advance(from, 0);
    }
    long at = from;
    double left = budget;
    Long first = byBucket.floorKey(QueueRanks.bucket(from));
    for (Map.Entry<Long, Double> entry : byBucket.tailMap(first == null ? Long.MIN_VALUE : first, true).entrySet()) {
      long start = Math.max(QueueRanks.bucketStart(entry.getKey()), at);
      long end = Math.min(QueueRanks.bucketEnd(entry.getKey()), limit);
      if (start >= limit) {
        break;
      }
      if (end <= start) {
        continue;
      }
      double density = entry.getValue() / (QueueRanks.bucketEnd(entry.getKey()) - QueueRanks.bucketStart(entry.getKey()));
      double here = density * (end - start);
      if (here >= left) {
        long reach = start + (long) Math.ceil(left / density);
        return new Advance(Math.min(reach, end), budget);
      }
      left -= here;
      at = end;
    }
    return new Advance(limit, budget - left);
  }

  /** The share of the bucket's ranks inside [{@code from}, {@code to}). */
  private static double overlap(long bucket, long from, long to) {
    long start = QueueRanks.bucketStart(bucket);
    long end = QueueRanks.bucketEnd(bucket);
    long inside = Math.min(end, to) - Math.max(start, from);
    return inside <= 0 ? 0 : (double) inside / (end - start);
  }
}
