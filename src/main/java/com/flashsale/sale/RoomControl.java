package com.flashsale.sale;

import com.flashsale.sale.RoomUpdate.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The admission controller of a sale's waiting room, inside the {@link Sale} entity (which calls it at each of
 * its room's ticks and hands it the nodes' {@link SaleCommand.RoomReport}s). Admission is a watermark over the
 * queue's ranks ({@link QueueRanks}): each tick moves it past as many waiting buyers as the room may admit (at
 * the admin's rate, or automatically as fast as the sale takes them, never more than the units left can take) by
 * the counts the nodes reported, and the entity persists it before publishing it. A ticket whose rank is below the watermark trades for an
 * admission pass on any node, so joining costs the entity nothing and a node crash costs no one a place.
 *
 * <p>Its memory (the reports, recent admissions) is not persisted: after the entity starts it admits no one
 * until it has heard a full window of reports, so that ranks whose buyers it has not counted yet are not
 * admitted as if no one waited there.
 */
final class RoomControl {

  /** Admissions and purchases so far, at one tick. */
  private record Sample(Instant at, double admitted, int purchased) {}

  /** The heartbeat periods whose reports are complete, and the ranks every ticket of which they counted. */
  private record Window(long oldest, long newest, long limit, boolean heard) {}

  private static final Duration RATE_WINDOW = Duration.ofSeconds(10);

  private final RoomSettings settings;
  private Instant listeningSince;
  /** Per node, its reports by period (the last few periods only). */
  private final Map<String, NavigableMap<Long, SaleCommand.RoomReport>> reports = new HashMap<>();
  private long joinedUnrecorded;
  /** The running total of admissions, unrounded; NaN until the first tick reads the persisted one. */
  private double admitted = Double.NaN;
  private Instant lastTick;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  /** Buyers who left before their turn, as counted when the room sold out or closed (null: it has not). */
  private Long abandonedAtEnd;

  RoomControl(RoomSettings settings, Instant now) {
    this.settings = settings;
    this.listeningSince = now;
  }

  /** The entity (re)started from its journal: what this controller remembers may be behind it. */
  void restarted(Instant now) {
    listeningSince = now;
    reports.clear();
    joinedUnrecorded = 0;
    admitted = Double.NaN;
    lastTick = null;
    samples.clear();
    abandonedAtEnd = null;
  }

  /** A node's counts of one period; a report sent again for the same period replaces it. */
  void report(SaleCommand.RoomReport report, Instant now) {
    long current = settings.period(now);
    if (report.period() < current - 4 || report.period() > current) {
      return;
    }
    NavigableMap<Long, SaleCommand.RoomReport> ofNode = reports.computeIfAbsent(report.node(), node -> new TreeMap<>());
    SaleCommand.RoomReport before = ofNode.put(report.period(), report);
    joinedUnrecorded += report.joined() - (before == null ? 0 : before.joined());
    ofNode.headMap(current - 4).clear();
  }

  /** What a tick decided: the progress to write first (null: nothing moved), then the update to publish. */
  record Tick(SaleEvent.AdmissionAdvanced advanced, RoomUpdate update) {}

  Tick tick(SaleState state, Instant now) {
    RoomProgress progress = state.progress();
    if (Double.isNaN(admitted)) {
      admitted = progress.admitted();
    }
    // The first tick of an incarnation only starts the clock; a tick late by more than one admits for two at most.
    Duration elapsed = lastTick == null || now.isBefore(lastTick) ? Duration.ZERO : Duration.between(lastTick, now);
    elapsed = elapsed.compareTo(settings.tick().multipliedBy(2)) > 0 ? settings.tick().multipliedBy(2) : elapsed;
    lastTick = now;
    Window window = window(now, state.startsAt());
    LiveCounts waiting = counts(window);
    Phase phase = phase(state, now);
    long watermark = progress.watermark();
    if (phase == Phase.ADMITTING && window.heard()) {
      LiveCounts.Advance advance = waiting.advance(watermark, budget(state, now, elapsed), window.limit());
      watermark = advance.watermark();
      admitted += advance.admitted();
    }
    samples.addLast(new Sample(now, admitted, progress.purchased()));
    Instant keepFrom = now.minus(max(settings.passValidity(), RATE_WINDOW)).minus(settings.tick());
    while (samples.size() > 1 && samples.peekFirst().at().isBefore(keepFrom)) {
      samples.removeFirst();
    }
    long joined = progress.joined() + joinedUnrecorded;
    SaleEvent.AdmissionAdvanced advanced = null;
    if (watermark != progress.watermark() || joinedUnrecorded != 0) {
      advanced = new SaleEvent.AdmissionAdvanced(watermark, Math.round(admitted), joined, now);
      joinedUnrecorded = 0;
    }
    Map<Long, Double> ahead = new TreeMap<>(waiting.byBucket()).tailMap(QueueRanks.bucket(watermark), true);
    long stillWaiting = Math.round(waiting.from(watermark));
    long admittedSoFar = Math.min(Math.round(admitted), joined);
    // Once no unit is left for good, whoever waits is turned away, not someone who left.
    long abandoned = abandonedAtEnd != null ? abandonedAtEnd : Math.max(0, joined - admittedSoFar - stillWaiting);
    if (abandonedAtEnd == null && (phase == Phase.SOLD_OUT || phase == Phase.CLOSED)) {
      abandonedAtEnd = abandoned;
    }
    RoomUpdate update = new RoomUpdate(state.saleId(), phase, watermark, Map.copyOf(ahead), rate(state, phase, now),
        admittedSoFar, joined, progress.purchased(), abandoned, state.startsAt(), now);
    return new Tick(advanced, update);
  }

  static Phase phase(SaleState state, Instant now) {
    if (state.isCancelled() || !now.isBefore(state.endsAt())) {
      return Phase.CLOSED;
    }
    if (now.isBefore(state.startsAt())) {
      return Phase.PREQUEUE;
    }
    if (state.available() == 0) {
      return state.reserved() > 0 ? Phase.UNITS_MAY_COME_BACK : Phase.SOLD_OUT;
    }
    return state.room().paused() ? Phase.PAUSED : Phase.ADMITTING;
  }

  /**
   * The complete periods: the last one once its reports have had a quarter period to arrive, and the one
   * before. Every ticket that checks in once a period is in each of them, and a ticket joined during the newer
   * one is in that one (a join is a check-in); so a bucket's count is its larger count of the two, and ranks up to
   * the end of the newer one ({@code limit}) are counted. The pre-queue is counted in full only once the newer
   * period ends after the start (later, its buyers all check in after the start's last joins).
   */
  private Window window(Instant now, Instant startsAt) {
    long current = settings.period(now);
    boolean lastIn = !now.isBefore(settings.periodStart(current).plus(settings.heartbeat().dividedBy(4)));
    long newest = lastIn ? current - 1 : current - 2;
    long oldest = newest - 1;
    Instant counted = settings.periodStart(newest + 1);
    boolean heard = !listeningSince.isAfter(settings.periodStart(oldest)) && counted.isAfter(startsAt);
    return new Window(oldest, newest, QueueRanks.arrivalsFrom(counted), heard);
  }

  private LiveCounts counts(Window window) {
    List<Map<Long, Integer>> oldest = new ArrayList<>();
    List<Map<Long, Integer>> newest = new ArrayList<>();
    for (NavigableMap<Long, SaleCommand.RoomReport> ofNode : reports.values()) {
      SaleCommand.RoomReport older = ofNode.get(window.oldest());
      SaleCommand.RoomReport newer = ofNode.get(window.newest());
      if (older != null) {
        oldest.add(older.seen());
      }
      if (newer != null) {
        newest.add(newer.seen());
      }
    }
    return LiveCounts.larger(LiveCounts.average(oldest, 1), LiveCounts.average(newest, 1));
  }

  /**
   * Buyers to admit this tick: at the admin's rate (or, automatically, at most {@code auto-max-rate}), and never
   * more than the units left can take: the units available, less the passes given out within their validity
   * that bought nothing yet (those buyers may still buy).
   */
  private double budget(SaleState state, Instant now, Duration elapsed) {
    double seconds = elapsed.toNanos() / 1e9;
    RoomTerms room = state.room();
    double pace = (room.auto() ? settings.autoMaxRate() : room.admissionRate()) * seconds;
    Sample then = sampleAt(now.minus(settings.passValidity()));
    double unused = then == null ? 0
        : Math.max(0, (admitted - then.admitted()) - (state.progress().purchased() - then.purchased()));
    return Math.max(0, Math.min(state.available() - unused, pace));
  }

  /** Admissions per second to expect: the admin's rate, or what was admitted over the last seconds. */
  private double rate(SaleState state, Phase phase, Instant now) {
    if (phase != Phase.ADMITTING) {
      return 0;
    }
    if (!state.room().auto()) {
      return state.room().admissionRate();
    }
    Sample then = sampleAt(now.minus(RATE_WINDOW));
    if (then == null || !then.at().isBefore(now)) {
      return 0;
    }
    return (admitted - then.admitted()) / (Duration.between(then.at(), now).toNanos() / 1e9);
  }

  /** The newest sample at or before {@code at}, else the oldest (null: none yet). */
  private Sample sampleAt(Instant at) {
    Sample found = samples.peekFirst();
    for (Sample sample : samples) {
      if (sample.at().isAfter(at)) {
        break;
      }
      found = sample;
    }
    return found;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
