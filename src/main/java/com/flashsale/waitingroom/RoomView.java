package com.flashsale.waitingroom;

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
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.RoomUpdate;
import com.flashsale.sale.SaleCommand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The waiting rooms of one node: it owns this node's subscriptions to the rooms' topics (one per room a route
 * asked about recently), writing each {@link RoomUpdate} into the {@link RoomBoard}, and at the end of each
 * heartbeat period it sends every sale the check-ins this node counted ({@link SaleCommand.RoomReport}). The
 * board tells it which rooms to follow; nobody asks it anything.
 */
public final class RoomView extends AbstractBehavior<RoomView.Command> {

  sealed interface Command {}

  /** A route asked about this sale's room. */
  record Follow(UUID saleId) implements Command {}

  private record Published(RoomUpdate update) implements Command {}

  private enum PeriodEnded implements Command { INSTANCE }

  private enum ForgetIdle implements Command { INSTANCE }

  /** A room no route asked about for this long is no longer followed. */
  private static final Duration IDLE = Duration.ofMinutes(2);

  private final RoomBoard board;
  private final Clock clock;
  private final RoomSettings settings;
  private final TimerScheduler<Command> timers;
  private final BiConsumer<String, SaleCommand> toSale;
  private final String node;
  private final ActorRef<RoomUpdate> subscriber;
  private final Map<UUID, ActorRef<Topic.Command<RoomUpdate>>> topics = new HashMap<>();
  private long topicsSpawned;

  /**
   * Starts this node's room view.
   *
   * @param node this node's name in its reports (unique per incarnation)
   * @param toSale sends a command to a sale entity
   */
  public static RoomBoard start(ActorSystem<?> system, Clock clock, RoomSettings settings, String node,
      BiConsumer<String, SaleCommand> toSale) {
    RoomBoard board = new RoomBoard(settings, clock);
    Behavior<Command> view = Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new RoomView(context, timers, board, clock, settings, node, toSale)));
    board.attach(system.systemActorOf(Behaviors.supervise(view).onFailure(SupervisorStrategy.restart()),
        "room-view", Props.empty()));
    return board;
  }

  private RoomView(ActorContext<Command> context, TimerScheduler<Command> timers, RoomBoard board, Clock clock,
      RoomSettings settings, String node, BiConsumer<String, SaleCommand> toSale) {
    super(context);
    this.board = board;
    this.clock = clock;
    this.settings = settings;
    this.timers = timers;
    this.node = node;
    this.toSale = toSale;
    this.subscriber = context.messageAdapter(RoomUpdate.class, Published::new);
    armPeriodEnd();
    timers.startTimerWithFixedDelay(ForgetIdle.INSTANCE, ForgetIdle.INSTANCE, IDLE.dividedBy(4));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Follow.class, this::follow)
        .onMessage(Published.class, published -> {
          board.show(published.update());
          return this;
        })
        .onMessageEquals(PeriodEnded.INSTANCE, this::report)
        .onMessageEquals(ForgetIdle.INSTANCE, this::forgetIdle)
        .build();
  }

  private Behavior<Command> follow(Follow follow) {
    if (!topics.containsKey(follow.saleId())) {
      String saleId = follow.saleId().toString();
      ActorRef<Topic.Command<RoomUpdate>> topic = getContext().spawn(
          Topic.create(RoomUpdate.class, RoomUpdate.topicName(saleId)), "room-" + saleId + "-" + ++topicsSpawned);
      topic.tell(Topic.subscribe(subscriber));
      topics.put(follow.saleId(), topic);
    }
    return this;
  }

  /** Each finished period's counts go to their sale; the timer fires just after each period's end. */
  private Behavior<Command> report() {
    long current = settings.period(clock.instant());
    board.finishedBefore(current).forEach(entry -> toSale.accept(entry.getKey().saleId().toString(),
        new SaleCommand.RoomReport(node, entry.getKey().period(), entry.getValue().seenCounts(),
            entry.getValue().joined().intValue())));
    armPeriodEnd();
    return this;
  }

  private void armPeriodEnd() {
    Instant now = clock.instant();
    Instant next = settings.periodStart(settings.period(now) + 1).plusMillis(20);
    timers.startSingleTimer(PeriodEnded.INSTANCE, PeriodEnded.INSTANCE, Duration.between(now, next));
  }

  private Behavior<Command> forgetIdle() {
    for (UUID saleId : board.idleSince(clock.instant().minus(IDLE))) {
      ActorRef<Topic.Command<RoomUpdate>> topic = topics.remove(saleId);
      if (topic != null) {
        topic.tell(Topic.unsubscribe(subscriber));
        getContext().stop(topic);
      }
      board.forget(saleId);
    }
    return this;
  }
}
