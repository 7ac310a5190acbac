package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.pubsub.Topic;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The live view of one node: the newest {@link SaleUpdate} of every active sale, so that this node's
 * routes ({@code GET /api/sales/{id}}, the SSE streams, purchases rejected at the edge) answer without
 * crossing the cluster (docs/architecture.md rule 4). It owns one local pub-sub topic instance per sale it follows,
 * subscribed with its adapter; the sale entities publish to those topics after every change. It learns
 * which sales to follow from the routes ({@link LiveSales#watch}, for a sale a request asked about) and
 * from the read model ({@link SaleCatalog#active}), re-read every {@code refresh-interval}; its rows also bring back
 * any update pub-sub lost, since it delivers at most once. It writes what routes read into
 * {@link LiveSales}; nobody asks it anything.
 *
 * <p>A new subscription needs a moment to reach the publishers (the receptionist gossips it), and a
 * change published before then never arrives. So a sale is served only once an update came through the
 * subscription; until then routes ask the entity, and the view keeps waking it
 * ({@link SaleCommand.WakeUp}) so that it publishes its current state. (Keeping entities running is the
 * {@link SaleScheduler}'s job, not the view's.)
 */
public final class LiveView extends AbstractBehavior<LiveView.Command> {

  /** The live view's and its SSE streams' tunables ({@code flashsale.live-view} in flashsale.conf). */
  public record Settings(Duration refreshInterval, Duration wakeInterval, Duration forgetAfter, int maxEventsPerSecond,
      Duration heartbeat, Duration streamResync) {

    public static Settings fromConfig(Config config) {
      Config view = config.getConfig("flashsale.live-view");
      return new Settings(view.getDuration("refresh-interval"), view.getDuration("wake-interval"),
          view.getDuration("forget-after"), view.getInt("sse.max-events-per-second"), view.getDuration("sse.heartbeat"),
          view.getDuration("sse.resync"));
    }
  }

  /** What the view is told: by {@link LiveSales}, by its topics (adapted), by its timers and its queries. */
  sealed interface Command {}

  /** Follow this sale (a request asked about it; the entity said it exists). */
  record Watch(UUID saleId) implements Command {}

  private record Published(SaleUpdate update) implements Command {}

  private record WakeUnconfirmed(UUID saleId) implements Command {}

  private enum Refresh implements Command { INSTANCE }

  private record Refreshed(List<SaleUpdate> rows, Instant at) implements Command {}

  private record RefreshFailed(Throwable cause) implements Command {}

  /** One followed sale. */
  private static final class Followed {
    final ActorRef<Topic.Command<SaleUpdate>> topic;
    final Instant since;
    /** The newest update known, from the topic or the table; null until one arrives. */
    SaleUpdate update;
    /** An update arrived through the topic: the publishers know this subscription. */
    boolean confirmed;
    /** When a refresh first saw the sale ended or cancelled; null while it is not. */
    Instant closedSince;

    Followed(ActorRef<Topic.Command<SaleUpdate>> topic, Instant since) {
      this.topic = topic;
      this.since = since;
    }
  }

  private final LiveSales board;
  private final SaleCatalog catalog;
  private final Clock clock;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final BiConsumer<String, SaleCommand> toSale;
  private final ActorRef<SaleUpdate> subscriber;
  private final Map<UUID, Followed> followed = new HashMap<>();
  private long topicsSpawned;

  /**
   * Starts this node's live view and answers the read side the routes use.
   *
   * @param known told of every sale the view follows, so that requests about it go through at once
   * @param toSale sends a command to a sale entity ({@link Sale#sender})
   */
  public static LiveSales start(ActorSystem<?> system, SaleCatalog catalog, SaleClient sales, KnownSales known,
      Clock clock, Settings settings, BiConsumer<String, SaleCommand> toSale) {
    LiveSales board = new LiveSales(system, sales, known, clock, settings);
    Behavior<Command> view = Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new LiveView(context, timers, board, catalog, clock, settings, toSale)));
    board.attach(system.systemActorOf(Behaviors.supervise(view).onFailure(SupervisorStrategy.restart()),
        "live-view", Props.empty()));
    return board;
  }

  private LiveView(ActorContext<Command> context, TimerScheduler<Command> timers, LiveSales board, SaleCatalog catalog,
      Clock clock, Settings settings, BiConsumer<String, SaleCommand> toSale) {
    super(context);
    this.board = board;
    this.catalog = catalog;
    this.clock = clock;
    this.settings = settings;
    this.timers = timers;
    this.toSale = toSale;
    this.subscriber = context.messageAdapter(SaleUpdate.class, Published::new);
    board.clear(); // after a restart: nothing is followed any more
    context.getSelf().tell(Refresh.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Watch.class, watch -> {
          if (!followed.containsKey(watch.saleId())) {
            follow(watch.saleId());
          }
          return this;
        })
        .onMessage(Published.class, this::onPublished)
        .onMessage(WakeUnconfirmed.class, this::onWakeUnconfirmed)
        .onMessageEquals(Refresh.INSTANCE, this::refresh)
        .onMessage(Refreshed.class, this::onRefreshed)
        .onMessage(RefreshFailed.class, failed -> {
          getContext().getLog().warn("Could not read the active sales; retrying in {}", settings.refreshInterval(),
              failed.cause());
          timers.startSingleTimer(Refresh.INSTANCE, Refresh.INSTANCE, settings.refreshInterval());
          return this;
        })
        .build();
  }

  private Behavior<Command> onPublished(Published published) {
    UUID saleId = UUID.fromString(published.update().sale().id());
    Followed sale = followed.get(saleId);
    if (sale == null) {
      return this; // sent before this node stopped following the sale
    }
    boolean confirming = !sale.confirmed;
    if (confirming) {
      sale.confirmed = true;
      timers.cancel(new WakeUnconfirmed(saleId));
    }
    offer(saleId, sale, published.update(), confirming);
    return this;
  }

  /**
   * Newest wins: an update older than the one held (it arrived late, e.g. from a moving entity) is
   * dropped. What is held is shown to routes once the subscription is confirmed.
   */
  private void offer(UUID saleId, Followed sale, SaleUpdate update, boolean confirming) {
    boolean newer = sale.update == null || update.version() >= sale.update.version();
    if (newer) {
      sale.update = update;
    }
    if (sale.confirmed && (newer || confirming)) {
      board.show(saleId, sale.update);
    }
  }

  private Behavior<Command> onWakeUnconfirmed(WakeUnconfirmed wake) {
    Followed sale = followed.get(wake.saleId());
    if (sale != null && !sale.confirmed) {
      wakeUp(wake.saleId());
    }
    return this;
  }

  private void follow(UUID saleId) {
    ActorRef<Topic.Command<SaleUpdate>> topic = getContext().spawn(
        Topic.create(SaleUpdate.class, SaleUpdate.topicName(saleId.toString())), "sale-" + saleId + "-" + ++topicsSpawned);
    topic.tell(Topic.subscribe(subscriber));
    followed.put(saleId, new Followed(topic, clock.instant()));
    board.following(saleId);
    wakeUp(saleId);
    timers.startTimerWithFixedDelay(new WakeUnconfirmed(saleId), new WakeUnconfirmed(saleId), settings.wakeInterval());
  }

  /** The entity publishes its current state to every node; the first wake usually beats the subscription. */
  private void wakeUp(UUID saleId) {
    toSale.accept(saleId.toString(), new SaleCommand.WakeUp(clock.instant()));
  }

  private void unfollow(UUID saleId) {
    Followed sale = followed.remove(saleId);
    timers.cancel(new WakeUnconfirmed(saleId));
    sale.topic.tell(Topic.unsubscribe(subscriber));
    getContext().stop(sale.topic);
    board.forget(saleId);
  }

  /** One query at a time: the next one is armed when this one answers, however long it took. */
  private Behavior<Command> refresh() {
    Instant now = clock.instant();
    Instant endedSince = now.minus(settings.forgetAfter());
    getContext().pipeToSelf(catalog.active(endedSince, now),
        (rows, failure) -> failure == null ? new Refreshed(rows, now) : new RefreshFailed(failure));
    return this;
  }

  private Behavior<Command> onRefreshed(Refreshed refreshed) {
    Instant now = refreshed.at();
    for (SaleUpdate row : refreshed.rows()) {
      UUID saleId = UUID.fromString(row.sale().id());
      if (!followed.containsKey(saleId) && isOpen(row.sale(), now)) {
        follow(saleId);
      }
      Followed sale = followed.get(saleId);
      if (sale != null) {
        offer(saleId, sale, row, false);
      }
    }
    forgetClosedAndUnconfirmed(now);
    timers.startSingleTimer(Refresh.INSTANCE, Refresh.INSTANCE, settings.refreshInterval());
    return this;
  }

  /**
   * Keeps memory bounded by the active sales: a sale ended or cancelled for {@code forget-after} is
   * dropped (a request about it follows it again), and so is a subscription never confirmed in that time.
   */
  private void forgetClosedAndUnconfirmed(Instant now) {
    List<UUID> forgotten = new ArrayList<>();
    followed.forEach((saleId, sale) -> {
      if (sale.update != null && !isOpen(sale.update.sale(), now)) {
        if (sale.closedSince == null) {
          sale.closedSince = now;
        }
      } else {
        sale.closedSince = null;
      }
      Instant idleSince = sale.confirmed ? sale.closedSince : sale.since;
      if (idleSince != null && !now.isBefore(idleSince.plus(settings.forgetAfter()))) {
        forgotten.add(saleId);
      }
    });
    forgotten.forEach(this::unfollow);
  }

  private static boolean isOpen(SaleView sale, Instant now) {
    SaleStatus status = LiveSales.statusAt(sale, now);
    return status != SaleStatus.ENDED && status != SaleStatus.CANCELLED;
  }
}
