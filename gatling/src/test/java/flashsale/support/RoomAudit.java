package flashsale.support;

import com.fasterxml.jackson.databind.JsonNode;
import flashsale.support.RoomLog.Place;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The waiting room's part of the {@link Audit} (an {@link Audit.SaleCheck} on the room's sale), judged from the
 * {@link RoomLog} once every buyer is done, with the sale's stats and orders listing. Its violations fail the
 * audit like an oversell. It requires:
 * <ol>
 *   <li><b>every purchase had a pass</b>: every order the listing holds was acknowledged to one of the run's
 *       purchases, all of which showed the buyer's pass; no buyer's own valid pass was refused
 *       ({@code 403 NOT_ADMITTED}); and every probe without a valid pass of its own (none, a bearer token, someone
 *       else's) was answered {@code 403 NOT_ADMITTED} (or {@code 409 SOLD_OUT}, the node's word on a sale with
 *       nothing left), never sold a unit;
 *   <li><b>pre-queue winners are a random sample</b> of the pre-queue by join time: see {@link #kolmogorovSmirnov};
 *   <li><b>arrival order after the start</b>: the ranks of after-start joiners follow their join times (within
 *       {@code -DarrivalSlackMs}); every pre-queue rank is below every after-start rank; and no buyer was told to wait (or turned away) after a
 *       buyer ranked behind them had been admitted: see {@link #admissionOrder};
 *   <li><b>a definite answer for every buyer</b>: each ended ADMITTED (and then got a final purchase answer),
 *       SOLD_OUT, CLOSED or PASS_EXPIRED, and no room request or purchase was answered a 5xx other than 503
 *       (load shedding, retried after Retry-After);
 *   <li><b>the purchase path's p99</b> (the {@code purchase} requests with a pass, Gatling's response times) below
 *       {@code -DpurchaseP99Ms}.
 * </ol>
 * Its figures (ETA error included) go to the summary.
 */
public final class RoomAudit implements Audit.SaleCheck {

  private final double ksAlpha = Params.ratio("ksAlpha", 0.001);
  private final long orderSlackMs = Params.integer("orderSlackMs", 1_000);
  /**
   * The service reads a ticket's rank and its {@code joined} claim from two clock reads of one join, so a join
   * stalled between them (a loaded machine) ranks it that much later than it says it joined; ranks out of join
   * order by less than this are not an inversion (the largest is in the summary anyway).
   */
  private final long arrivalSlackMs = Params.integer("arrivalSlackMs", 250);
  private final long purchaseP99Ms = Params.integer("purchaseP99Ms", 50);

  private final RoomLog log;
  private final Ledger ledger;
  private final PurchaseStats purchases;
  private volatile String saleId;
  private volatile Instant saleStart;
  private volatile Map<String, Object> figures;

  public RoomAudit(RoomLog log, Ledger ledger, PurchaseStats purchases) {
    this.log = log;
    this.ledger = ledger;
    this.purchases = purchases;
  }

  /** The sale with the waiting room, and when it starts (pre-queue joiners are those who joined before). */
  public void sale(String saleId, Instant saleStart) {
    this.saleId = saleId;
    this.saleStart = saleStart;
  }

  @Override
  public List<String> violations(String auditedSale, JsonNode stats, Set<String> listedOrders) {
    if (!auditedSale.equals(saleId)) {
      return List.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> violations = new ArrayList<>();
    judge(stats, listedOrders, out, violations);
    figures = out;
    System.out.printf("ROOM AUDIT %s sale %s: %s pre-queue and %s after-start joiners; %s admitted, %s bought; "
            + "pre-queue winners KS D %s (p %s); ETA error p50/p90 %s/%s s; purchase p99 %s ms%n",
        violations.isEmpty() ? "ok  " : "FAILED", auditedSale, out.get("prequeueJoined"), out.get("afterStartJoined"),
        out.get("admitted"), out.get("purchasedWithPass"), out.get("prequeueWinnersKsD"),
        out.get("prequeueWinnersKsPValue"), out.get("etaErrorP50Seconds"), out.get("etaErrorP90Seconds"),
        purchases.figures(0).get("purchaseLatencyP99Ms"));
    violations.forEach(violation -> System.out.println("ROOM AUDIT violation: " + violation));
    return violations;
  }

  /** The figures of the summary: the audit's, or (if it never ran) what the log alone tells. */
  public Map<String, Object> figures() {
    Map<String, Object> judged = figures;
    if (judged != null) {
      return judged;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    judge(Json.read(null), Set.of(), out, new ArrayList<>());
    return out;
  }

  private void judge(JsonNode stats, Set<String> listedOrders, Map<String, Object> out, List<String> violations) {
    long start = saleStart == null ? Long.MAX_VALUE : saleStart.toEpochMilli();
    List<Place> places = log.places();
    List<Place> joined = places.stream().filter(Place::joined).toList();
    List<Place> prequeue = joined.stream().filter(place -> place.joinedMs() < start).toList();
    List<Place> afterStart = joined.stream().filter(place -> place.joinedMs() >= start).toList();
    out.put("prequeueJoined", prequeue.size());
    out.put("afterStartJoined", afterStart.size());
    out.put("notJoined", places.size() - joined.size());
    out.put("admitted", count(places, place -> place.admittedMs() >= 0));
    out.put("admittedPrequeue", count(prequeue, place -> place.admittedMs() >= 0));
    out.put("admittedAfterStart", count(afterStart, place -> place.admittedMs() >= 0));
    LongSummaryStatistics admissions = places.stream().mapToLong(Place::admittedMs).filter(at -> at >= 0)
        .summaryStatistics();
    double span = admissions.getCount() < 2 ? 0 : (admissions.getMax() - admissions.getMin()) / 1000.0;
    out.put("admissionSpanSeconds", round(span, 2));
    out.put("admittedPerSecond", span <= 0 ? null : round(admissions.getCount() / span, 2));
    out.put("purchasedWithPass", count(places, Place::won));
    out.put("winnersPrequeue", count(prequeue, Place::won));
    out.put("winnersAfterStart", count(afterStart, Place::won));
    out.put("endings", endings(places));
    definiteAnswers(places, out, violations);
    everyPurchaseHadAPass(listedOrders, out, violations);
    prequeueWinners(prequeue, start, out, violations);
    arrivalOrder(joined, start, out, violations);
    eta(places, out);
    out.put("checkIns", places.stream().mapToLong(Place::checkIns).sum());
    out.put("lateCheckIns", places.stream().mapToLong(Place::lateCheckIns).sum());
    long[] margins = places.stream().map(Place::expiredMarginMs).filter(margin -> margin != null)
        .mapToLong(Long::longValue).sorted().toArray();
    out.put("ticketExpiredMarginsMs", margins.length == 0 ? List.of() : Arrays.stream(new double[] {0, 0.5, 1})
        .mapToObj(q -> PurchaseStats.percentile(margins, Math.max(q, 1e-9))).toList());
    Map<String, Object> purchaseFigures = purchases.figures(start == Long.MAX_VALUE ? 0 : start);
    long p99 = ((Number) purchaseFigures.get("purchaseLatencyP99Ms")).longValue();
    out.put("purchaseP99LimitMs", purchaseP99Ms);
    if (((Number) purchaseFigures.get("attempts")).longValue() > 0 && p99 >= purchaseP99Ms) {
      violations.add("the purchases' p99 was " + p99 + " ms, not under " + purchaseP99Ms + " ms (-DpurchaseP99Ms)");
    }
    out.put("roomAnswers", log.statuses());
    JsonNode room = stats.path("waitingRoom");
    if (room.isObject()) {
      out.put("waitingRoom", Json.MAPPER.convertValue(room, Map.class));
    } else if (!stats.isMissingNode()) {
      violations.add("the sale's stats have no waitingRoom: " + stats);
    }
  }

  /** Every buyer's wait ended in a definite state, every admitted buyer's purchase got a final answer, no 5xx. */
  private void definiteAnswers(List<Place> places, Map<String, Object> out, List<String> violations) {
    Map<String, Long> undecided = new TreeMap<>();
    for (Place place : places) {
      String end = place.end();
      if (end == null) {
        undecided.merge("unfinished, last " + place.lastState(), 1L, Long::sum);
      } else if (!RoomLog.DEFINITE.contains(end)) {
        undecided.merge(end, 1L, Long::sum);
      } else if ("ADMITTED".equals(end)) {
        Answer purchase = place.purchase();
        if (purchase == null) {
          undecided.merge("admitted, no purchase answer", 1L, Long::sum);
        } else if (purchase.retryable()) {
          undecided.merge("admitted, purchase " + purchase.status() + " (retries spent)", 1L, Long::sum);
        } else if ("NOT_ADMITTED".equals(purchase.code())) {
          violations.add("a buyer's own valid pass was refused: purchase answered 403 NOT_ADMITTED (buyer "
              + place.buyerId() + ")");
        }
      }
    }
    out.put("buyersWithoutDefiniteAnswer", undecided.values().stream().mapToLong(Long::longValue).sum());
    if (!undecided.isEmpty()) {
      violations.add(undecided.values().stream().mapToLong(Long::longValue).sum()
          + " buyer(s) got no definite answer: " + undecided);
    }
    Map<String, Long> serverErrors = new TreeMap<>();
    log.statuses().forEach((request, byStatus) -> byStatus.forEach((status, count) -> {
      if (status >= 500 && status != 503) {
        serverErrors.merge(request + " " + status, count, Long::sum);
      }
    }));
    for (Place place : places) {
      Answer purchase = place.purchase();
      if (purchase != null && purchase.status() >= 500 && purchase.status() != 503) {
        serverErrors.merge("purchase " + purchase.status(), 1L, Long::sum);
      }
    }
    if (!serverErrors.isEmpty()) {
      violations.add("server errors: " + serverErrors);
    }
  }

  /**
   * No order without a pass: the listing holds only orders acknowledged to the run's purchases (each showed its
   * buyer's pass), and every probe without a valid pass of its own was refused.
   */
  private void everyPurchaseHadAPass(Set<String> listedOrders, Map<String, Object> out, List<String> violations) {
    Set<String> unacknowledged = new HashSet<>(listedOrders);
    unacknowledged.removeAll(ledger.acknowledgedOrders(saleId));
    if (!unacknowledged.isEmpty()) {
      violations.add(unacknowledged.size() + " order(s) listed that no purchase with a pass was answered, e.g. "
          + unacknowledged.stream().sorted().limit(5).toList());
    }
    Map<String, Long> answers = new TreeMap<>();
    for (RoomLog.Passless probe : log.passless()) {
      String answer = probe.status() + " " + (probe.code() == null ? "" : probe.code());
      answers.merge(probe.attempt() + ": " + answer, 1L, Long::sum);
      if (probe.status() >= 200 && probe.status() < 300) {
        violations.add("a purchase without a valid pass of its own was answered " + answer + " (" + probe.attempt() + ")");
      } else if (!(probe.status() == 403 && "NOT_ADMITTED".equals(probe.code()))
          && !(probe.status() == 409 && "SOLD_OUT".equals(probe.code()))) {
        violations.add("a purchase without a valid pass of its own was answered " + answer + ", not 403 NOT_ADMITTED ("
            + probe.attempt() + ")");
      }
    }
    out.put("passlessAttempts", answers);
  }

  /**
   * The pre-queue's winners must be a random sample of its joiners: the room ranks the pre-queue by a keyed hash,
   * so under a fair draw whether a buyer wins is independent of when they joined, and the join times of the
   * winners and of the pre-queue joiners who did not win are two samples of one distribution (exactly so: under
   * that hypothesis, which of the pre-queue's join times are the winners' is a uniformly random subset). The
   * two-sample Kolmogorov–Smirnov test checks that without assuming any shape for the join times: a first-come
   * draw (winners all early), a last-come one, or one favouring any stretch of the pre-queue moves the largest gap
   * D between the two empirical distributions far above what chance gives. The run fails when the asymptotic
   * p-value of D is below {@code -DksAlpha} (0.001: a fair room fails one run in a thousand). Not judged when
   * either side is empty (every pre-queue joiner won, or none did).
   */
  private void prequeueWinners(List<Place> prequeue, long start, Map<String, Object> out, List<String> violations) {
    long[] winners = prequeue.stream().filter(Place::won).mapToLong(Place::joinedMs).sorted().toArray();
    long[] others = prequeue.stream().filter(place -> !place.won()).mapToLong(Place::joinedMs).sorted().toArray();
    long[] all = prequeue.stream().mapToLong(Place::joinedMs).sorted().toArray();
    out.put("prequeueJoinQuartilesSeconds", quartiles(all, start));
    out.put("prequeueWinnersJoinQuartilesSeconds", quartiles(winners, start));
    out.put("ksAlpha", ksAlpha);
    if (winners.length == 0 || others.length == 0) {
      out.put("prequeueWinnersKsD", null);
      out.put("prequeueWinnersKsPValue", null);
      return;
    }
    double d = kolmogorovSmirnov(winners, others);
    double p = ksPValue(d, winners.length, others.length);
    out.put("prequeueWinnersKsD", round(d, 4));
    out.put("prequeueWinnersKsPValue", round(p, 4));
    if (p < ksAlpha) {
      violations.add(String.format("the pre-queue's %d winners did not join like its %d other joiners: "
              + "Kolmogorov-Smirnov D %.4f, p %.2g < %s (-DksAlpha); join-time quartiles (s from the start): winners "
              + "%s, all %s", winners.length, others.length, d, p, ksAlpha, quartiles(winners, start),
          quartiles(all, start)));
    }
  }

  /**
   * Arrival order: after the start a rank is the arrival time, so ranks must follow the {@code joined} claims
   * (within {@code -DarrivalSlackMs}), and every pre-queue rank must come before every later one; then the room
   * admits by rank ({@link #admissionOrder}).
   */
  private void arrivalOrder(List<Place> joined, long start, Map<String, Object> out, List<String> violations) {
    List<Place> byRank = joined.stream().sorted(Comparator.comparingLong(Place::rank)).toList();
    long inversions = 0;
    long largestMs = 0;
    long latestJoin = Long.MIN_VALUE;
    String example = null;
    for (Place place : byRank) {
      if (place.joinedMs() < start) {
        continue;
      }
      if (latestJoin != Long.MIN_VALUE && place.joinedMs() < latestJoin) {
        largestMs = Math.max(largestMs, latestJoin - place.joinedMs());
        if (place.joinedMs() < latestJoin - arrivalSlackMs) {
          inversions++;
          if (example == null) {
            example = "a buyer who joined at " + Instant.ofEpochMilli(place.joinedMs())
                + " is ranked after one who joined " + (latestJoin - place.joinedMs()) + " ms later";
          }
        }
      }
      latestJoin = Math.max(latestJoin, place.joinedMs());
    }
    out.put("arrivalOrderLargestInversionMs", largestMs);
    long lastPrequeueRank = joined.stream().filter(place -> place.joinedMs() < start - arrivalSlackMs)
        .mapToLong(Place::rank).max().orElse(Long.MIN_VALUE);
    long firstLaterRank = joined.stream().filter(place -> place.joinedMs() >= start + arrivalSlackMs)
        .mapToLong(Place::rank).min().orElse(Long.MAX_VALUE);
    if (lastPrequeueRank >= firstLaterRank) {
      violations.add("a pre-queue joiner is ranked behind a buyer who joined after the start (ranks "
          + lastPrequeueRank + " >= " + firstLaterRank + ")");
    }
    out.put("arrivalOrderViolations", inversions);
    if (inversions > 0) {
      violations.add(inversions + " after-start joiner(s) ranked out of arrival order by more than " + arrivalSlackMs
          + " ms (-DarrivalSlackMs), e.g. " + example);
    }
    admissionOrder(byRank, out, violations);
  }

  /**
   * The room admits by rank: a watermark over the ranks that only moves forward; a check-in below it is admitted,
   * one at or above it is told to wait (or, with nothing left, turned away). So once buyer B has been admitted,
   * any buyer ranked before B who checks in is admitted too; a buyer ranked before B told anything else more
   * than {@code -DorderSlackMs} after B's admission (the time for the watermark to reach every node) was
   * overtaken. Buyers see their admission only at a check-in, so comparing admission times directly would
   * blame the check-in schedule; this compares each admission with the answers that must have followed it. Both
   * times are the service's own (the tickets' {@code admitted} and {@code seen} claims).
   */
  private void admissionOrder(List<Place> byRank, Map<String, Object> out, List<String> violations) {
    long overtaken = 0;
    long worstMs = 0;
    String example = null;
    long latestWait = Long.MIN_VALUE; // the latest not-admitted answer of all buyers ranked before the current rank
    int i = 0;
    while (i < byRank.size()) {
      int j = i;
      long rank = byRank.get(i).rank();
      long groupWait = Long.MIN_VALUE;
      while (j < byRank.size() && byRank.get(j).rank() == rank) {
        Place place = byRank.get(j);
        if (place.admittedMs() >= 0 && latestWait > place.admittedMs() + orderSlackMs) {
          overtaken++;
          if (latestWait - place.admittedMs() > worstMs) {
            worstMs = latestWait - place.admittedMs();
            example = "a buyer ranked before one admitted at " + Instant.ofEpochMilli(place.admittedMs())
                + " was still not admitted " + worstMs + " ms later";
          }
        }
        groupWait = Math.max(groupWait, place.lastNotAdmittedMs());
        j++;
      }
      latestWait = Math.max(latestWait, groupWait);
      i = j;
    }
    out.put("admissionOrderViolations", overtaken);
    if (overtaken > 0) {
      violations.add(overtaken + " admitted buyer(s) overtook a buyer ranked before them (-DorderSlackMs="
          + orderSlackMs + "); worst: " + example);
    }
  }

  /**
   * The ETA error: for each admitted buyer who was given an ETA while WAITING, the first ETA's admission time
   * (the answer's time plus {@code etaSeconds}) against the actual one (the check-in that found them admitted).
   */
  private static void eta(List<Place> places, Map<String, Object> out) {
    long[] errors = places.stream()
        .filter(place -> place.predictedAdmissionMs() >= 0 && place.admittedMs() >= 0)
        .mapToLong(place -> Math.abs(place.admittedMs() - place.predictedAdmissionMs())).sorted().toArray();
    long[] lateness = places.stream()
        .filter(place -> place.predictedAdmissionMs() >= 0 && place.admittedMs() >= 0)
        .mapToLong(place -> place.admittedMs() - place.predictedAdmissionMs()).sorted().toArray();
    out.put("etaSamples", errors.length);
    out.put("etaErrorP50Seconds", errors.length == 0 ? null : round(PurchaseStats.percentile(errors, 0.5) / 1000.0, 2));
    out.put("etaErrorP90Seconds", errors.length == 0 ? null : round(PurchaseStats.percentile(errors, 0.9) / 1000.0, 2));
    out.put("etaLatenessP50Seconds", lateness.length == 0 ? null
        : round(PurchaseStats.percentile(lateness, 0.5) / 1000.0, 2));
    out.put("etaGivenNeverAdmitted", count(places, place -> place.predictedAdmissionMs() >= 0 && place.admittedMs() < 0));
  }

  /** The two-sample Kolmogorov–Smirnov statistic of two sorted samples: the largest gap between their ECDFs. */
  static double kolmogorovSmirnov(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < a.length && j < b.length) {
      long x = Math.min(a[i], b[j]);
      while (i < a.length && a[i] == x) {
        i++;
      }
      while (j < b.length && b[j] == x) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
    }
    return d;
  }

  /**
   * The asymptotic p-value of a two-sample KS statistic (Kolmogorov's distribution with Stephens' small-sample
   * correction, as in Numerical Recipes' {@code kstwo}): {@code Q((√n + 0.12 + 0.11/√n) D)}, {@code n = m·k/(m+k)}.
   */
  static double ksPValue(double d, int m, int k) {
    double n = (double) m * k / (m + k);
    double root = Math.sqrt(n);
    double lambda = (root + 0.12 + 0.11 / root) * d;
    if (lambda < 0.3) {
      return 1; // Q(0.3) = 0.99999...; the series converges too slowly below
    }
    double sum = 0;
    double sign = 1;
    for (int j = 1; j <= 100; j++) {
      double term = sign * 2 * Math.exp(-2 * j * j * lambda * lambda);
      sum += term;
      if (Math.abs(term) < 1e-12) {
        break;
      }
      sign = -sign;
    }
    return Math.max(0, Math.min(1, sum));
  }

  /** Min, quartiles and max of sorted join times, in seconds from the start (negative: before it). */
  private static List<Double> quartiles(long[] sorted, long start) {
    if (sorted.length == 0 || start == Long.MAX_VALUE) {
      return List.of();
    }
    return Arrays.stream(new double[] {0, 0.25, 0.5, 0.75, 1})
        .mapToObj(q -> round((PurchaseStats.percentile(sorted, Math.max(q, 1e-9)) - start) / 1000.0, 2))
        .toList();
  }

  private static Map<String, Long> endings(List<Place> places) {
    Map<String, Long> endings = new TreeMap<>();
    places.forEach(place -> endings.merge(place.end() == null ? "unfinished" : place.end(), 1L, Long::sum));
    return endings;
  }

  private static long count(List<Place> places, Predicate<Place> test) {
    return places.stream().filter(test).count();
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
