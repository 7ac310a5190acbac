package com.flashsale.sale;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.flashsale.sale.SaleCommand.OrderBatch;
import com.flashsale.sale.SaleCommand.OrderCommand;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * This node's order batcher (docs/architecture.md rule 3, group commit). It owns, per sale, the queue of order
 * commands (purchases, payment steps, cancellations) that reached this node while that sale's previous
 * batch was still being written, and sends each queue to the sale entity as one {@link OrderBatch}:
 * idle, a command goes at once (a batch of one); under load, commands gather while a write is in
 * flight, up to {@code maxSize}. A slow
 * write never makes it send more batches (which would each need a write of their own): requests wait
 * for it, bounded by the ask timeout and the node's bound on purchases in flight.
 * {@link SaleClient} sends it the requests; it talks to the Sale entities through sharding. The entity
 * answers every request itself; the batcher only hears that a batch is done, which lets the next go.
 */
public final class OrderBatcher extends AbstractBehavior<OrderBatcher.Command> {

  public sealed interface Command {}

  /** An order command for one sale; the entity answers {@code command.replyTo()}. */
  public record Enqueue(UUID saleId, OrderCommand command) implements Command {}

  private record BatchDone(UUID saleId) implements Command {}

  private record LingerOver(UUID saleId) implements Command {}

  /**
   * {@code maxSize} requests at most per batch; {@code maxInFlight} batches per sale being written at
   * once (a full batch goes even beyond that); when nothing is in flight, the first request waits up to
   * {@code maxWait} for others before its batch goes (zero: at once).
   */
  public record Settings(boolean enabled, int maxSize, int maxInFlight, Duration maxWait) {

    public static Settings fromConfig(Config config) {
      Config batching = config.getConfig("flashsale.purchase.batching");
      return new Settings(batching.getBoolean("enabled"), batching.getInt("max-size"),
          batching.getInt("max-in-flight"), batching.getDuration("max-wait"));
    }
  }

  /** One sale's requests on this node. */
  private static final class Lane {
    final ArrayDeque<OrderCommand> waiting = new ArrayDeque<>();
    int inFlight;
  }

  private final Settings settings;
  private final Duration askTimeout;
  private final ClusterSharding sharding;
  private final IntConsumer batchSizes;
  private final WarmupSales warmups;
  private final TimerScheduler<Command> timers;
  private final Map<UUID, Lane> lanes = new HashMap<>();

  /** @param batchSizes told the size of every batch sent (the {@code flashsale_reserve_batch_size} meter) */
  public static Behavior<Command> create(Settings settings, Duration askTimeout, IntConsumer batchSizes,
      WarmupSales warmups) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new OrderBatcher(context, timers, settings, askTimeout, batchSizes, warmups)));
  }

  private OrderBatcher(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings,
      Duration askTimeout, IntConsumer batchSizes, WarmupSales warmups) {
    super(context);
    this.warmups = warmups;
    this.timers = timers;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.batchSizes = batchSizes;
    this.sharding = ClusterSharding.get(context.getSystem());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(BatchDone.class, done -> onBatchDone(done.saleId()))
        .onMessage(LingerOver.class, over -> onLingerOver(over.saleId()))
        .build();
  }

  private Behavior<Command> onEnqueue(Enqueue enqueue) {
    Lane lane = lanes.computeIfAbsent(enqueue.saleId(), id -> new Lane());
    lane.waiting.add(enqueue.command());
    if (lane.waiting.size() >= settings.maxSize()) {
      send(enqueue.saleId(), lane);
    } else if (lane.inFlight < settings.maxInFlight() && lane.waiting.size() == 1) {
      if (settings.maxWait().isZero()) {
        send(enqueue.saleId(), lane);
      } else {
        timers.startSingleTimer(enqueue.saleId(), new LingerOver(enqueue.saleId()), settings.maxWait());
      }
    }
    return this;
  }

  private Behavior<Command> onBatchDone(UUID saleId) {
    Lane lane = lanes.get(saleId);
    if (lane == null) {
      return this;
    }
    lane.inFlight--;
    if (!lane.waiting.isEmpty()) {
      send(saleId, lane);
    } else if (lane.inFlight == 0) {
      lanes.remove(saleId);
    }
    return this;
  }

  private Behavior<Command> onLingerOver(UUID saleId) {
    Lane lane = lanes.get(saleId);
    if (lane != null && !lane.waiting.isEmpty() && lane.inFlight < settings.maxInFlight()) {
      send(saleId, lane);
    }
    return this;
  }

  /**
   * Sends the lane's next batch. Requests whose callers have given up meanwhile are answered here (the entity
   * would not decide them either) rather than sent.
   */
  private void send(UUID saleId, Lane lane) {
    timers.cancel(saleId);
    List<OrderCommand> batch = new ArrayList<>(Math.min(lane.waiting.size(), settings.maxSize()));
    while (batch.size() < settings.maxSize() && !lane.waiting.isEmpty()) {
      OrderCommand command = lane.waiting.poll();
      if (command instanceof SaleCommand.Deadlined request && Deadlines.passed(request)) {
        command.replyTo().tell(Deadlines.TOO_LATE);
      } else {
        batch.add(command);
      }
    }
    if (batch.isEmpty()) {
      if (lane.inFlight == 0) {
        lanes.remove(saleId);
      }
      return;
    }
    lane.inFlight++;
    batchSizes.accept(batch.size());
    // Done or not (a timeout, the entity moving), the lane moves on: each request has its own ask timeout. A
    // batch the entity could not take or write is answered at once, so only a batch lost on the way (its
    // node crashed) holds the lane until the timeout.
    getContext().ask(SaleReply.class, sharding.entityRefFor(Sale.ENTITY_KEY, warmups.entityId(saleId)), askTimeout,
        replyTo -> new OrderBatch(batch, replyTo), (reply, failure) -> new BatchDone(saleId));
  }
}
