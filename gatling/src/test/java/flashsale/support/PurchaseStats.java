package flashsale.support;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Our own record of the purchase requests (Gatling's report has them too, but not the flash-sale figures):
 * every attempt's status, problem code and latency, when the first request left, when the first SOLD_OUT came
 * back, and when each buyer got a final answer. Thread-safe; one per simulation.
 */
public final class PurchaseStats {

  private static final String[] STATUS_BUCKETS = {"201", "200", "409", "429", "503", "other"};

  private final LongAdder attempts = new LongAdder();
  private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byCode = new ConcurrentHashMap<>();
  private final AtomicLong firstSentAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAnsweredAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong firstSoldOutAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastFinalAt = new AtomicLong(Long.MIN_VALUE);
  private final LongAdder buyersAnswered = new LongAdder();
  private final LongAdder buyersGaveUp = new LongAdder();
  private final Samples latencies = new Samples();
  /** Answer time (epoch ms) and latency of each answer, in pairs, for {@link #driftVerdict}. */
  private final Samples timeline = new Samples();
  private final Samples reservedAt = new Samples();

  /** Every purchase answer, retries included. */
  public void attempt(Answer answer) {
    attempts.increment();
    byStatus.computeIfAbsent(bucket(answer.status()), s -> new LongAdder()).increment();
    byCode.computeIfAbsent(answer.code() != null ? answer.code() : String.valueOf(answer.status()),
        c -> new LongAdder()).increment();
    firstSentAt.accumulateAndGet(answer.sentAtMs(), Math::min);
    lastAnsweredAt.accumulateAndGet(answer.answeredAtMs(), Math::max);
    if (answer.responseTimeMs() >= 0) {
      latencies.add(answer.responseTimeMs());
      timeline.addPair(answer.answeredAtMs(), answer.responseTimeMs());
    }
    if (answer.status() == 201) {
      reservedAt.add(answer.answeredAtMs());
    }
    if ("SOLD_OUT".equals(answer.code())) {
      firstSoldOutAt.accumulateAndGet(answer.answeredAtMs(), Math::min);
    }
  }

  /** A buyer's last purchase answer: a hold, a refusal, or retries spent. */
  public void finalAnswer(Answer answer) {
    buyersAnswered.increment();
    if (answer.retryable()) {
      buyersGaveUp.increment();
    }
    lastFinalAt.accumulateAndGet(answer.answeredAtMs(), Math::max);
  }

  /**
   * The figures of FlashSaleRush's summary (see README.md for each key). Times are in seconds from
   * {@code saleStartMs}; a figure that never happened (no SOLD_OUT) is null.
   */
  public Map<String, Object> figures(long saleStartMs) {
    Map<String, Object> out = new LinkedHashMap<>();
    long total = attempts.sum();
    long first = firstSentAt.get();
    long last = lastAnsweredAt.get();
    long soldOut = firstSoldOutAt.get();
    long[] reserved = reservedAt.sorted();
    long[] latency = latencies.sorted();
    out.put("attempts", total);
    out.put("attemptsPerSecond", total == 0 ? 0 : round(total / seconds(last - first)));
    out.put("reservations", (long) reserved.length);
    long sellingEnd = soldOut != Long.MAX_VALUE ? soldOut : last;
    long soldWhileSelling = Arrays.stream(reserved).filter(at -> at <= sellingEnd).count();
    out.put("reservationsPerSecondWhileSelling", total == 0 ? 0 : round(soldWhileSelling / seconds(sellingEnd - first)));
    out.put("purchaseLatencyP50Ms", percentile(latency, 0.50));
    out.put("purchaseLatencyP95Ms", percentile(latency, 0.95));
    out.put("purchaseLatencyP99Ms", percentile(latency, 0.99));
    out.put("purchaseLatencyMaxMs", latency.length == 0 ? 0 : latency[latency.length - 1]);
    out.put("soldOutSeconds", soldOut == Long.MAX_VALUE ? null : round((soldOut - saleStartMs) / 1000.0));
    out.put("allAnsweredSeconds", lastFinalAt.get() == Long.MIN_VALUE ? null
        : round((lastFinalAt.get() - saleStartMs) / 1000.0));
    out.put("firstRequestSeconds", total == 0 ? null : round((first - saleStartMs) / 1000.0));
    out.put("buyersAnswered", buyersAnswered.sum());
    out.put("buyersGaveUp", buyersGaveUp.sum());
    Map<String, Long> statuses = new LinkedHashMap<>();
    for (String bucket : STATUS_BUCKETS) {
      LongAdder count = byStatus.get(bucket);
      statuses.put(bucket, count == null ? 0 : count.sum());
    }
    out.put("statuses", statuses);
    Map<String, Long> codes = new TreeMap<>();
    byCode.forEach((code, count) -> codes.put(code, count.sum()));
    out.put("outcomes", codes);
    return out;
  }

  private static String bucket(int status) {
    return switch (status) {
      case 200, 201, 409, 429, 503 -> String.valueOf(status);
      default -> "other";
    };
  }

  /** Nearest-rank percentile of sorted samples (0 when there are none). */
  static long percentile(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(quantile * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static double seconds(long millis) {
    return Math.max(millis, 1) / 1000.0;
  }

  /**
   * Latency drift over the run: the p95 of the purchases answered in its last third against those of its
   * first third. {@code ok} while the last is at most {@code factor} times the first, or within
   * {@code slackMs} of it (a few milliseconds of noise are no drift); otherwise a sentence saying by how much.
   */
  public String driftVerdict(double factor, long slackMs) {
    long[] pairs = timeline.inOrder();
    if (pairs.length < 6) {
      return "too few purchases to judge drift (" + pairs.length / 2 + ")";
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < pairs.length; i += 2) {
      first = Math.min(first, pairs[i]);
      last = Math.max(last, pairs[i]);
    }
    long third = Math.max(1, (last - first) / 3);
    Samples early = new Samples();
    Samples late = new Samples();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i] < first + third) {
        early.add(pairs[i + 1]);
      } else if (pairs[i] >= last - third) {
        late.add(pairs[i + 1]);
      }
    }
    long earlyP95 = percentile(early.sorted(), 0.95);
    long lateP95 = percentile(late.sorted(), 0.95);
    String figures = String.format("purchase p95 %d ms in the first third of the run, %d ms in the last", earlyP95,
        lateP95);
    System.out.println("DRIFT " + figures);
    return lateP95 <= Math.max(earlyP95 * factor, earlyP95 + slackMs) ? "ok" : "latency drifted: " + figures;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** A growable array of longs under one lock: cheaper than boxing a hundred thousand samples. */
  private static final class Samples {
    private long[] values = new long[1024];
    private int size;

    synchronized void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    synchronized void addPair(long first, long second) {
      add(first);
      add(second);
    }

    synchronized long[] inOrder() {
      return Arrays.copyOf(values, size);
    }

    synchronized long[] sorted() {
      long[] copy = Arrays.copyOf(values, size);
      Arrays.sort(copy);
      return copy;
    }
  }
}
