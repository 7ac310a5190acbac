package com.flashsale.sale;

import akka.Done;
import akka.NotUsed;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.KillSwitches;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.BroadcastHub;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Source;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read side of this node's {@link LiveView}: what routes read without blocking and without crossing
 * the cluster. The view's actor writes it ({@link #show}, {@link #forget}); routes read the newest
 * update of a sale, ask which purchases the node may reject itself, and follow a sale as a stream.
 * Streams share one upstream per sale (a broadcast hub the view feeds), so a client costs one small
 * subscriber, never a subscription of its own.
 */
public final class LiveSales {

  /** A change signal of one sale's hub; each client reads the newest update when it emits. */
  private record Hub(BoundedSourceQueue<Done> changes, Source<Done, NotUsed> source) {}

  private final ActorSystem<?> system;
  private final SaleClient sales;
  private final KnownSales known;
  private final Clock clock;
  private final LiveView.Settings settings;
  /** Only sales whose subscription is confirmed: everything here is at most one publication behind. */
  private final ConcurrentHashMap<UUID, SaleUpdate> latest = new ConcurrentHashMap<>();
  /** Sales the view follows or was asked to, so that a storm of requests sends it one message. */
  private final Set<UUID> watched = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<UUID, Hub> hubs = new ConcurrentHashMap<>();
  /** Ends every stream when the node shuts down, so clients reconnect to another node at once. */
  private final SharedKillSwitch streams = KillSwitches.shared("sale-streams");
  private volatile ActorRef<LiveView.Command> view;

  LiveSales(ActorSystem<?> system, SaleClient sales, KnownSales known, Clock clock, LiveView.Settings settings) {
    this.system = system;
    this.sales = sales;
    this.known = known;
    this.clock = clock;
    this.settings = settings;
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "end-sale-streams", () -> {
      streams.shutdown();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  void attach(ActorRef<LiveView.Command> view) {
    this.view = view;
  }

  // ---- written by the view ----

  void show(UUID saleId, SaleUpdate update) {
    latest.put(saleId, update);
    Hub hub = hubs.get(saleId);
    if (hub != null) {
      hub.changes().offer(Done.getInstance()); // dropped when a signal is already pending: it reads the newest
    }
  }

  /** The view follows only sales that exist (from the read model, or after their entity answered). */
  void following(UUID saleId) {
    watched.add(saleId);
    known.markKnown(saleId);
  }

  /** The view stopped following the sale: its streams end (clients reconnect and follow it again). */
  void forget(UUID saleId) {
    latest.remove(saleId);
    watched.remove(saleId);
    Hub hub = hubs.remove(saleId);
    if (hub != null) {
      hub.changes().complete();
    }
  }

  void clear() {
    latest.clear();
    watched.clear();
  }

  // ---- read by routes ----

  /** The newest update of a sale the view serves; empty while it does not (yet) serve the sale. */
  public Optional<SaleUpdate> latest(UUID saleId) {
    return Optional.ofNullable(latest.get(saleId));
  }

  /** Asks the view to follow a sale; cheap when it already does. */
  public void watch(UUID saleId) {
    ActorRef<LiveView.Command> target = view;
    // contains first: add() locks the key's bin even when the sale is already watched (every purchase calls this).
    if (target != null && !watched.contains(saleId) && watched.add(saleId)) {
      target.tell(new LiveView.Watch(saleId));
    }
  }

  /**
   * Follows a sale once its entity answered a request about it, unless it said there is no such sale
   * (or that it is overloaded): the view follows only sales that exist.
   */
  public void watchIfFound(UUID saleId, Outcome<?> answer) {
    if (!(answer instanceof Outcome.Rejected<?> rejected
        && (rejected.code() == ErrorCode.NOT_FOUND || rejected.code() == ErrorCode.OVERLOADED))) {
      watch(saleId);
    }
  }

  /**
   * The sale now: from the view (its status recomputed with this node's clock), else from its entity,
   * which may answer that there is no such sale.
   */
  public CompletionStage<Outcome<SaleView>> current(UUID saleId) {
    Optional<SaleUpdate> held = latest(saleId);
    if (held.isPresent()) {
      return CompletableFuture.completedFuture(Outcome.ok(asOf(held.get().sale(), clock.instant())));
    }
    return sales.ask(saleId, SaleCommand.Get::new, SaleDetails.class).thenApply(asked -> asked.map(details -> {
      watch(saleId);
      return details.sale();
    }));
  }

  /**
   * docs/architecture.md rule 4: the answer this node gives a purchase by itself, or empty when only the
   * entity can decide. Only the entity's own answers that no hold coming back could change: closed for
   * purchase, or sold out with no open hold. Never a reservation, and nothing about a sale the view does
   * not serve. A buyer without an admission pass to a sale with a waiting room is refused here too
   * ({@code admitted}: the purchase showed a valid pass).
   */
  public Optional<Rejected> rejectionAtEdge(UUID saleId, boolean admitted) {
    return latest(saleId).map(held -> {
      SaleView sale = held.sale();
      SaleStatus status = statusAt(sale, clock.instant());
      Rejected closed = status.closedForPurchase(sale.startsAt(), sale.endsAt());
      if (closed != null) {
        return closed;
      }
      if (status == SaleStatus.SOLD_OUT && sale.reserved() == 0) {
        return SaleStatus.NO_UNIT_LEFT;
      }
      return sale.hasRoom() && !admitted ? NOT_ADMITTED : null;
    });
  }

  private static final Rejected NOT_ADMITTED = new Rejected(ErrorCode.NOT_ADMITTED, OrderRound.NOT_ADMITTED);

  /**
   * The sale as it changes, each element as of when it is emitted: {@code current} at once, then the
   * newest update after every change, at most {@code max-events-per-second} (changes in between are
   * coalesced), and at least every {@code resync} (a status that changes with time alone, or a change
   * racing this stream's start, shows then). Ends when the view forgets the sale or the node stops.
   */
  public Source<SaleView, NotUsed> follow(UUID saleId, SaleView current) {
    Source<Done, NotUsed> changes = hubs.computeIfAbsent(saleId, id -> openHub()).source();
    return Source.single(Done.getInstance()).concat(changes)
        .conflate((pending, next) -> pending)
        .throttle(settings.maxEventsPerSecond(), Duration.ofSeconds(1))
        .map(change -> asOf(latest(saleId).map(SaleUpdate::sale).orElse(current), clock.instant()))
        .via(streams.flow());
  }

  /**
   * One sale's shared upstream: the view's change signals plus a periodic resync signal. Every client
   * conflates right after the hub, so a slow client never holds the others back.
   */
  private Hub openHub() {
    Duration resync = settings.streamResync();
    Pair<BoundedSourceQueue<Done>, Source<Done, NotUsed>> hub = Source.<Done>queue(1)
        .merge(Source.tick(resync, resync, Done.getInstance()), true)
        .toMat(BroadcastHub.of(Done.class, 2), Keep.both())
        .run(system);
    return new Hub(hub.first(), hub.second());
  }

  /** The status a sale has at {@code now}: published statuses go stale with time (start, end). */
  public static SaleStatus statusAt(SaleView sale, Instant now) {
    return SaleStatus.at(now, sale.status() == SaleStatus.CANCELLED, sale.startsAt(), sale.endsAt(), sale.available());
  }

  static SaleView asOf(SaleView sale, Instant now) {
    SaleStatus status = statusAt(sale, now);
    return status == sale.status() ? sale : new SaleView(sale.id(), sale.productId(), sale.price(), sale.stock(),
        sale.available(), sale.reserved(), sale.confirmed(), sale.released(), status, sale.startsAt(), sale.endsAt(),
        sale.perUserLimit(), sale.holdSeconds(), sale.room());
  }
}
