package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import com.flashsale.CborSerializable;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which sale ids this node knows to exist, so that a request naming a sale nobody created is answered
 * 404 "No such sale" without starting a sale entity for it (a sharded, persistent actor and a journal read:
 * a client could otherwise make the cluster start as many as it can name). {@link SaleClient} asks here before
 * anything reaches an entity with a sale id a client chose; only an admin's create goes straight to its entity.
 *
 * <p>The rule:
 * <ol>
 *   <li><b>Known ids go through.</b> An id is known once this node's live view follows the sale, this node created
 *       it, another node announced creating it, or the journal held it. Sales are never deleted, so a known id
 *       stays true; at most {@code max-known} are kept, and one that falls out is simply looked up again.
 *   <li><b>Any other id is looked up in the journal</b>, once however many requests wait for it: does the journal
 *       hold an event of the sale? The journal and not the read model, because a sale's creation is written to
 *       the journal before its creator is answered, while the read model trails by up to a second: so a sale is
 *       found on every node from the moment its creation was acknowledged (read-your-writes), with one indexed
 *       query and no entity.
 *   <li><b>An id the journal does not hold is unknown for {@code unknown-ttl}</b>: answered 404 from memory
 *       (at most {@code max-unknown} ids), so asking again and again for it costs nothing.
 *   <li><b>Known beats unknown.</b> A create marks the id known on its node and announces it to every node over
 *       pub-sub, which marks it known there too, whatever was remembered or is being looked up. Only an id
 *       somebody asked for before the sale existed can be remembered as unknown, and a new sale's id is random
 *       (or derived from its admin and their Idempotency-Key), so in practice none is; and if an announcement is
 *       lost (pub-sub delivers at most once), that node finds the sale at most {@code unknown-ttl} later.
 *   <li><b>A failed lookup is not remembered</b>: its requests fail as any database failure does (503 OVERLOADED,
 *       retry) rather than start an entity, and the next request looks again. Sales the node already knows (the
 *       active ones its live view follows among them) go on without the database.
 * </ol>
 *
 * <p>The entity is unchanged and still answers "No such sale" to anything but a create; it is simply no longer
 * asked about an id the journal does not hold, and the answer given here instead is the same.
 */
public final class KnownSales {

  /** {@code flashsale.sale-ids} in flashsale.conf. */
  public record Settings(long maxKnown, long maxUnknown, Duration unknownTtl) {

    public Settings {
      if (maxKnown < 1 || maxUnknown < 1 || unknownTtl.isNegative() || unknownTtl.isZero()) {
        throw new IllegalArgumentException("flashsale.sale-ids: max-known and max-unknown must be at least 1, "
            + "unknown-ttl above zero");
      }
    }

    public static Settings fromConfig(Config config) {
      Config ids = config.getConfig("flashsale.sale-ids");
      return new Settings(ids.getLong("max-known"), ids.getLong("max-unknown"), ids.getDuration("unknown-ttl"));
    }
  }

  /** Whether the journal holds any event of the sale. The node wires in {@code readmodel.JournalHistory}. */
  @FunctionalInterface
  public interface Journal {
    CompletionStage<Boolean> holds(UUID saleId);
  }

  /** A node's announcement that it created a sale, to every node's {@code KnownSales} over pub-sub. */
  public record Announced(String saleId) implements CborSerializable {}

  /** The pub-sub topic of {@link Announced}, one instance per node. */
  public static final String TOPIC = "sales-created";
  private static final CompletableFuture<Boolean> EXISTS = CompletableFuture.completedFuture(true);
  private static final CompletableFuture<Boolean> ABSENT = CompletableFuture.completedFuture(false);

  private final Journal journal;
  private final Cache<UUID, Boolean> known;
  private final Cache<UUID, Boolean> unknown;
  /** Journal lookups in flight, one per id, so a burst of requests for one id costs one query. */
  private final ConcurrentHashMap<UUID, CompletableFuture<Boolean>> lookups = new ConcurrentHashMap<>();
  private volatile Consumer<UUID> announce = saleId -> {};

  KnownSales(Journal journal, Settings settings, Ticker ticker) {
    this.journal = journal;
    // Upkeep (eviction) runs on the caller's thread, so the bounds hold as soon as a call returns.
    this.known = Caffeine.newBuilder().maximumSize(settings.maxKnown()).executor(Runnable::run).build();
    this.unknown = Caffeine.newBuilder().maximumSize(settings.maxUnknown()).expireAfterWrite(settings.unknownTtl())
        .ticker(ticker).executor(Runnable::run).build();
  }

  /** This node's known sales, announcing its creates to every node and hearing theirs. */
  public static KnownSales start(ActorSystem<?> system, Journal journal, Settings settings) {
    KnownSales sales = new KnownSales(journal, settings, Ticker.systemTicker());
    ActorRef<Message> announcer = system.systemActorOf(
        Behaviors.supervise(sales.announcer()).onFailure(SupervisorStrategy.restart()), "known-sales", Props.empty());
    sales.announce = saleId -> announcer.tell(new Announce(saleId));
    return sales;
  }

  /** Known to exist: a request about it may go to its entity. Cheap, for every purchase. */
  public boolean isKnown(UUID saleId) {
    return known.getIfPresent(saleId) != null;
  }

  /** Whether the sale exists, by the rule above; fails when the journal could not be asked. */
  public CompletionStage<Boolean> exists(UUID saleId) {
    if (isKnown(saleId)) {
      return EXISTS;
    }
    if (unknown.getIfPresent(saleId) != null) {
      return ABSENT;
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = lookups.putIfAbsent(saleId, mine);
    if (running != null) {
      return running;
    }
    CompletionStage<Boolean> held;
    try {
      held = journal.holds(saleId);
    } catch (RuntimeException e) {
      held = CompletableFuture.failedFuture(e);
    }
    held.whenComplete((holds, failure) -> {
      if (failure == null) {
        if (holds) {
          markKnown(saleId);
        } else {
          unknown.put(saleId, Boolean.TRUE);
        }
      }
      lookups.remove(saleId, mine);
      if (failure != null) {
        mine.completeExceptionally(failure);
      } else {
        mine.complete(holds || isKnown(saleId)); // announced while it was being looked up: known beats unknown
      }
    });
    return mine;
  }

  /** The sale exists (this node's live view follows it, or another node announced it). */
  void markKnown(UUID saleId) {
    known.put(saleId, Boolean.TRUE);
    unknown.invalidate(saleId);
  }

  /** This node created the sale: known here at once, and announced to the other nodes. */
  void created(UUID saleId) {
    markKnown(saleId);
    announce.accept(saleId);
  }

  // ---- announcements ----

  private sealed interface Message {}

  private record Announce(UUID saleId) implements Message {}

  private record Heard(Announced announced) implements Message {}

  private Behavior<Message> announcer() {
    return Behaviors.setup(context -> {
      ActorRef<Topic.Command<Announced>> topic = context.spawn(Topic.create(Announced.class, TOPIC), "topic");
      topic.tell(Topic.subscribe(context.messageAdapter(Announced.class, Heard::new)));
      return Behaviors.receive(Message.class)
          .onMessage(Announce.class, announce -> {
            topic.tell(Topic.publish(new Announced(announce.saleId().toString())));
            return Behaviors.same();
          })
          .onMessage(Heard.class, heard -> {
            try {
              markKnown(UUID.fromString(heard.announced().saleId()));
            } catch (IllegalArgumentException notASaleId) {
              context.getLog().warn("Ignoring an announced sale id that is not a UUID");
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
