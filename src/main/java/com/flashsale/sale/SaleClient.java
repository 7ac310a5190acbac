package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How routes on any node talk to the sale entities: an ask through cluster sharding with the
 * configured timeout (a timeout fails the stage), and an entity's rejection answered as an {@link Outcome}.
 * Order commands (purchases, payment steps, cancellations) go through this node's
 * {@link OrderBatcher} unless batching is switched off.
 *
 * <p>Every request but a create names a sale a client chose, so it reaches the entity only if the sale exists
 * ({@link KnownSales}); otherwise it is answered here exactly as the entity answers a sale it does not have, and
 * no entity starts. A starting node's {@link WarmupSales} reach entities of their own.
 */
public final class SaleClient {

  /** What an entity answers to anything but a create while it holds no sale. */
  static final Rejected NO_SUCH_SALE = new Rejected(ErrorCode.NOT_FOUND, "No such sale");

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Executor dispatcher;
  private final ActorRef<OrderBatcher.Command> batcher;
  private final KnownSales known;
  private final WarmupSales warmups;

  /** @param batcher null sends every purchase to its entity on its own */
  public SaleClient(ActorSystem<?> system, Duration askTimeout, ActorRef<OrderBatcher.Command> batcher,
      KnownSales known, WarmupSales warmups) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.dispatcher = system.executionContext();
    this.batcher = batcher;
    this.known = known;
    this.warmups = warmups;
  }

  /**
   * The deadline of a request sent now: the entity does not decide it after this, when this node has
   * answered its client 503 already.
   */
  public Instant deadline() {
    return Deadlines.after(askTimeout);
  }

  /** An order command: batched with the others for its sale on this node (docs/architecture.md rule 3). */
  public CompletionStage<SaleReply> order(UUID saleId, Function<ActorRef<SaleReply>, SaleCommand.OrderCommand> command) {
    if (batcher == null) {
      return ask(saleId, command::apply);
    }
    return ifExists(saleId, () -> onDispatcher(AskPattern.ask(batcher,
        replyTo -> new OrderBatcher.Enqueue(saleId, command.apply(replyTo)), askTimeout, system.scheduler())));
  }

  /** {@link #order} expecting one kind of answer, or a rejection. */
  public <T extends SaleReply> CompletionStage<Outcome<T>> order(UUID saleId,
      Function<ActorRef<SaleReply>, SaleCommand.OrderCommand> command, Class<T> expected) {
    return order(saleId, command).thenApply(reply -> expect(reply, expected));
  }

  /** Any command but a create, to an existing sale's entity. */
  public CompletionStage<SaleReply> ask(UUID saleId, Function<ActorRef<SaleReply>, SaleCommand> command) {
    return ifExists(saleId, () -> askEntity(saleId, command));
  }

  /**
   * Creates the sale (or, asked again with the same terms, answers the sale it created): the one request that
   * goes to an entity that may not exist yet. The new sale is known at once on this node and announced to the
   * others ({@link KnownSales}).
   */
  public CompletionStage<Outcome<SaleDetails>> create(UUID saleId, SaleTerms terms, String admin) {
    return askEntity(saleId, replyTo -> new SaleCommand.Create(terms, admin, deadline(), replyTo)).thenApply(reply -> {
      if (reply instanceof SaleDetails && !warmups.isOpen(saleId)) {
        known.created(saleId);
      }
      return expect(reply, SaleDetails.class);
    });
  }

  /**
   * The request when the sale exists, else the answer its entity would give (without starting it). A looked-up
   * answer arrives on a database thread; the request goes on from the actor system's dispatcher.
   */
  private CompletionStage<SaleReply> ifExists(UUID saleId, Supplier<CompletionStage<SaleReply>> request) {
    if (known.isKnown(saleId) || warmups.isOpen(saleId)) {
      return request.get();
    }
    return known.exists(saleId).thenComposeAsync(
        exists -> exists ? request.get() : CompletableFuture.completedFuture(NO_SUCH_SALE), dispatcher);
  }

  private CompletionStage<SaleReply> askEntity(UUID saleId, Function<ActorRef<SaleReply>, SaleCommand> command) {
    return onDispatcher(sharding.entityRefFor(Sale.ENTITY_KEY, warmups.entityId(saleId)).ask(command::apply, askTimeout));
  }

  /**
   * The stage Akka's ask returns (Scala's converted future) runs every callback asynchronously on the
   * JDK's default executor, which on a 2-core machine starts a new thread per callback. The answer is
   * therefore moved once onto the actor system's dispatcher into a plain future, whose callbacks run
   * in place.
   */
  private CompletionStage<SaleReply> onDispatcher(CompletionStage<SaleReply> asked) {
    CompletableFuture<SaleReply> answer = new CompletableFuture<>();
    asked.whenCompleteAsync((reply, failure) -> {
          if (failure != null) {
            answer.completeExceptionally(failure);
          } else {
            answer.complete(reply);
          }
        }, dispatcher);
    return answer;
  }

  /** Asks and expects one kind of answer, or a rejection. */
  public <T extends SaleReply> CompletionStage<Outcome<T>> ask(UUID saleId,
      Function<ActorRef<SaleReply>, SaleCommand> command, Class<T> expected) {
    return ask(saleId, command).thenApply(reply -> expect(reply, expected));
  }

  /** The reply as the expected answer or a rejection; any other reply is a bug, so it throws. */
  public static <T extends SaleReply> Outcome<T> expect(SaleReply reply, Class<T> expected) {
    if (reply instanceof Rejected rejected) {
      return Outcome.rejected(rejected.code(), rejected.detail());
    }
    if (!expected.isInstance(reply)) {
      throw new IllegalStateException("Unexpected reply " + reply.getClass().getSimpleName());
    }
    return Outcome.ok(expected.cast(reply));
  }
}
