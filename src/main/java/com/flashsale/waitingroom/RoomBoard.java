package com.flashsale.waitingroom;

import akka.actor.typed.ActorRef;
import com.flashsale.sale.LiveCounts;
import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.RoomUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's side of the waiting rooms, read and written by routes without blocking: the check-ins it counts
 * (per sale, heartbeat period and bucket of ranks), and the newest {@link RoomUpdate} of each room it follows.
 * A check-in counts its ticket in every period from now until its next check-in is due, and the ticket says
 * through which period it was counted, so that each ticket counts once a period across all nodes however often
 * or seldom it checks in. Its {@link RoomView} actor reports each finished period's counts to the sale and writes
 * the updates.
 */
public final class RoomBoard {

  /** One sale's check-ins in one period. */
  record Tally(ConcurrentHashMap<Long, LongAdder> seen, LongAdder joined) {

    Tally() {
      this(new ConcurrentHashMap<>(), new LongAdder());
    }

    Map<Long, Integer> seenCounts() {
      Map<Long, Integer> counts = new HashMap<>();
      seen.forEach((bucket, count) -> counts.put(bucket, count.intValue()));
      return counts;
    }
  }

  record Period(UUID saleId, long period) {}

  /** A room's newest update, with its counts read once for every check-in that uses them. */
  public record Heard(RoomUpdate update, LiveCounts counts) {}

  /** A route's interest in a room is noted at most this often (it is read every check-in). */
  private static final Duration NOTE_INTEREST = Duration.ofSeconds(10);

  private final RoomSettings settings;
  private final Clock clock;
  private final ConcurrentHashMap<Period, Tally> tallies = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<UUID, Heard> latest = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<UUID, Instant> asked = new ConcurrentHashMap<>();
  private volatile ActorRef<RoomView.Command> view;

  RoomBoard(RoomSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  void attach(ActorRef<RoomView.Command> view) {
    this.view = view;
  }

  public RoomSettings settings() {
    return settings;
  }

  /**
   * A ticket checked in (or joined, {@code joining}) here now, its next check-in due at {@code dueAt}: counted in
   * each period from now through the one {@code dueAt} falls in, but not again in any it is counted in already
   * ({@code countedThrough} and before; null: none). Returns the last period it is counted in.
   */
  public long checkIn(UUID saleId, long rank, Long countedThrough, boolean joining, Instant dueAt) {
    Instant now = clock.instant();
    long current = settings.period(now);
    long through = Math.max(current, settings.period(dueAt));
    long bucket = QueueRanks.bucket(rank);
    for (long period = countedThrough == null ? current : Math.max(current, countedThrough + 1); period <= through;
        period++) {
      tallies.computeIfAbsent(new Period(saleId, period), p -> new Tally())
          .seen().computeIfAbsent(bucket, b -> new LongAdder()).increment();
    }
    if (joining) {
      tallies.computeIfAbsent(new Period(saleId, current), p -> new Tally()).joined().increment();
    }
    follow(saleId, now);
    return countedThrough == null ? through : Math.max(through, countedThrough);
  }

  /** The newest update of the sale's room, once this node hears them. */
  public Optional<Heard> latest(UUID saleId) {
    follow(saleId, clock.instant());
    return Optional.ofNullable(latest.get(saleId));
  }

  private void follow(UUID saleId, Instant now) {
    Instant before = asked.get(saleId);
    if (before != null && before.isAfter(now.minus(NOTE_INTEREST))) {
      return;
    }
    before = asked.put(saleId, now);
    ActorRef<RoomView.Command> target = view;
    if (before == null && target != null) {
      target.tell(new RoomView.Follow(saleId));
    }
  }

  // ---- for the view ----

  /** The tallies of periods before {@code period}, removed. */
  List<Map.Entry<Period, Tally>> finishedBefore(long period) {
    List<Map.Entry<Period, Tally>> finished = new ArrayList<>();
    tallies.forEach((key, tally) -> {
      if (key.period() < period && tallies.remove(key, tally)) {
        finished.add(Map.entry(key, tally));
      }
    });
    return finished;
  }

  void show(RoomUpdate update) {
    latest.merge(UUID.fromString(update.saleId()), new Heard(update, update.counts()),
        (held, next) -> next.update().at().isBefore(held.update().at()) ? held : next);
  }

  /** Sales no route asked about since {@code since}: the view stops following them. */
  List<UUID> idleSince(Instant since) {
    List<UUID> idle = new ArrayList<>();
    asked.forEach((saleId, at) -> {
      if (at.isBefore(since)) {
        idle.add(saleId);
      }
    });
    return idle;
  }

  void forget(UUID saleId) {
    asked.remove(saleId);
    latest.remove(saleId);
  }
}
