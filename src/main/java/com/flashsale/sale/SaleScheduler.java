package com.flashsale.sale;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The sale scheduler: one per cluster (a cluster singleton, restarted on the oldest remaining node when
 * its node leaves or dies), and the one thing that keeps sale entities running. It owns no data, only
 * timers: every {@code poll-interval} it re-reads the sales from the read model
 * ({@link SaleCatalog#toSchedule}), so a new instance simply starts over from there. It talks to the sale
 * entities through sharding, sending {@link SaleCommand.WakeUp}:
 * <ul>
 *   <li>at each sale's start and end, when its status changes with time alone, so the entity publishes
 *       LIVE or ENDED to every node's live view without waiting for a buyer;</li>
 *   <li>every {@code keep-running-interval} to each sale with a start or end ahead, open holds or a payment
 *       attempt in doubt, so that its entity runs (its own timer expires holds and settles payments) with no
 *       traffic, is never passivated with work left, and starts again on another node when its own is gone:
 *       sharding starts an entity only when a message comes.</li>
 * </ul>
 * Nobody sends it messages: it drives itself with its timers. Time comes from the node's {@link Clock};
 * timers run in real time, so every delay is computed from that clock and checked again when it fires.
 */
public final class SaleScheduler extends AbstractBehavior<SaleScheduler.Command> {

  /** The scheduler's tunables ({@code flashsale.scheduler} in flashsale.conf). */
  public record Settings(Duration pollInterval, Duration keepRunningInterval, Duration catchUp) {

    public static Settings fromConfig(Config config) {
      Config scheduler = config.getConfig("flashsale.scheduler");
      return new Settings(scheduler.getDuration("poll-interval"), scheduler.getDuration("keep-running-interval"),
          scheduler.getDuration("catch-up"));
    }
  }

  /** What the scheduler tells itself; nobody else has anything to say to it. */
  public sealed interface Command {}

  private enum Poll implements Command { INSTANCE }

  private enum KeepRunning implements Command { INSTANCE }

  private record Polled(List<SaleCatalog.Scheduled> sales) implements Command {}

  private record PollFailed(Throwable cause) implements Command {}

  /** Wake one sale at one instant; also the key of its timer, so each (sale, instant) has one timer. */
  private record Wake(String saleId, Instant at) implements Command {}

  /**
   * Timers further ahead are armed by a later poll: this keeps the set of timers small, and keeps the
   * drift between the node's clock and the real-time timer short.
   */
  private static final Duration ARM_AHEAD = Duration.ofMinutes(10);

  private static final String SINGLETON_NAME = "sale-scheduler";

  private final SaleCatalog catalog;
  private final Clock clock;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final BiConsumer<String, SaleCommand> toSale;
  /** The sales of the last poll, by id. */
  private Map<String, SaleCatalog.Scheduled> sales = Map.of();
  /** Per sale, the wakes armed or already sent for its current start and end (not armed twice). */
  private final Map<String, Set<Wake>> wakes = new HashMap<>();
  private boolean firstPoll = true;

  /** Starts the scheduler as a cluster singleton; every node calls this, one of them runs it. */
  public static void init(ActorSystem<?> system, SaleCatalog catalog, Clock clock, Settings settings) {
    ClusterSingleton.get(system).init(SingletonActor.of(create(catalog, clock, settings, Sale.sender(system)),
        SINGLETON_NAME));
  }

  /** @param toSale sends a command to a sale entity (through sharding, on a node) */
  public static Behavior<Command> create(SaleCatalog catalog, Clock clock, Settings settings,
      BiConsumer<String, SaleCommand> toSale) {
    Behavior<Command> scheduler = Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new SaleScheduler(context, timers, catalog, clock, settings, toSale)));
    return Behaviors.supervise(scheduler)
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  private SaleScheduler(ActorContext<Command> context, TimerScheduler<Command> timers, SaleCatalog catalog, Clock clock,
      Settings settings, BiConsumer<String, SaleCommand> toSale) {
    super(context);
    this.catalog = catalog;
    this.clock = clock;
    this.settings = settings;
    this.timers = timers;
    this.toSale = toSale;
    context.getSelf().tell(Poll.INSTANCE);
    timers.startTimerWithFixedDelay(KeepRunning.INSTANCE, KeepRunning.INSTANCE, settings.keepRunningInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Poll.INSTANCE, this::poll)
        .onMessage(Polled.class, this::onPolled)
        .onMessage(PollFailed.class, this::onPollFailed)
        .onMessage(Wake.class, this::onWake)
        .onMessageEquals(KeepRunning.INSTANCE, this::keepRunning)
        .build();
  }

  /** One poll at a time: the next one is armed when this one answers, however long the query took. */
  private Behavior<Command> poll() {
    Instant now = clock.instant();
    getContext().pipeToSelf(catalog.toSchedule(now.minus(settings.catchUp())),
        (rows, failure) -> failure == null ? new Polled(rows) : new PollFailed(failure));
    return this;
  }

  private Behavior<Command> onPolled(Polled polled) {
    Instant now = clock.instant();
    Map<String, SaleCatalog.Scheduled> seen = new HashMap<>();
    for (SaleCatalog.Scheduled sale : polled.sales()) {
      seen.put(sale.saleId(), sale);
      if (!sale.cancelled()) {
        schedule(sale, now);
      }
    }
    for (Iterator<Map.Entry<String, Set<Wake>>> it = wakes.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Set<Wake>> entry = it.next();
      if (!seen.containsKey(entry.getKey())) {
        entry.getValue().forEach(timers::cancel);
        it.remove();
      }
    }
    sales = seen;
    if (firstPoll) {
      // This scheduler may have just taken over from one on a node that went away, with its entities.
      firstPoll = false;
      keepRunning();
    }
    timers.startSingleTimer(Poll.INSTANCE, Poll.INSTANCE, settings.pollInterval());
    return this;
  }

  private Behavior<Command> onPollFailed(PollFailed failed) {
    getContext().getLog().warn("Could not read the sales to schedule; retrying in {}", settings.pollInterval(),
        failed.cause());
    timers.startSingleTimer(Poll.INSTANCE, Poll.INSTANCE, settings.pollInterval());
    return this;
  }

  /**
   * Arms a wake for the sale's start and for its end, once each. A start or end the table shows moved
   * cancels the wake of the old instant. One missed by at most {@code catch-up} (this scheduler was
   * moving between nodes) is sent at once.
   */
  private void schedule(SaleCatalog.Scheduled sale, Instant now) {
    Set<Wake> armed = wakes.computeIfAbsent(sale.saleId(), id -> new HashSet<>());
    armed.removeIf(wake -> {
      boolean moved = !wake.at().equals(sale.startsAt()) && !wake.at().equals(sale.endsAt());
      if (moved) {
        timers.cancel(wake);
      }
      return moved;
    });
    for (Instant at : List.of(sale.startsAt(), sale.endsAt())) {
      Wake wake = new Wake(sale.saleId(), at);
      boolean due = at.isAfter(now.minus(settings.catchUp())) && at.isBefore(now.plus(ARM_AHEAD));
      if (due && armed.add(wake)) {
        timers.startSingleTimer(wake, wake, delayUntil(at, now));
      }
    }
  }

  private Behavior<Command> onWake(Wake wake) {
    Instant now = clock.instant();
    if (now.isBefore(wake.at())) {
      // The real-time timer ran ahead of the node's clock: the entity would still see the old status.
      timers.startSingleTimer(wake, wake, delayUntil(wake.at(), now));
    } else {
      wakeUp(wake.saleId(), now);
    }
    return this;
  }

  /**
   * Wakes every sale with a start or end ahead or work left, so that its entity runs with no traffic: it
   * expires holds and settles payments, is never passivated with work left, and starts on another node
   * when its own is gone (sharding starts an entity only when a message comes).
   */
  private Behavior<Command> keepRunning() {
    Instant now = clock.instant();
    for (SaleCatalog.Scheduled sale : sales.values()) {
      if (sale.hasOpenWork() || (!sale.cancelled() && now.isBefore(sale.endsAt()))) {
        wakeUp(sale.saleId(), now);
      }
    }
    return this;
  }

  private void wakeUp(String saleId, Instant now) {
    toSale.accept(saleId, new SaleCommand.WakeUp(now));
  }

  private static Duration delayUntil(Instant at, Instant now) {
    Duration delay = Duration.between(now, at);
    return delay.isNegative() ? Duration.ZERO : delay;
  }
}
