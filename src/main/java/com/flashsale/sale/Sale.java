package com.flashsale.sale;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.persistence.typed.SnapshotAdapter;
import com.flashsale.ErrorCode;
import com.flashsale.payment.PaymentGateway;
import com.flashsale.sale.SaleCommand.ExpireHolds;
import com.flashsale.sale.SaleCommand.WithReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;

/**
 * The Sale entity: one per flash-sale event, cluster-sharded, event-sourced. It alone owns the sale's
 * stock and its orders; every purchase, payment, release and admin change is a command in its mailbox,
 * decided from its own state, persisted, then answered. Routes on any node reach it through
 * {@link SaleClient}. Its own timer expires holds and settles payments in doubt, calling the payment
 * gateway for that ({@link PaymentSettlement}); the {@link SaleScheduler} keeps it running meanwhile. Its {@link SaleInbox} answers what it cannot take; a failed journal write
 * restarts it from the journal, with a state object of its own ({@link SaleState#blank}).
 */
public final class Sale extends EventSourcedBehaviorWithEnforcedReplies<SaleCommand, SaleEvent, SaleState> {

  public static final EntityTypeKey<SaleCommand> ENTITY_KEY = EntityTypeKey.create(SaleCommand.class, "Sale");

  /** Events are tagged for the read-side projections, one tag per slice of sales. */
  public static final List<String> TAGS = IntStream.range(0, 4).mapToObj(i -> "sale-" + i).toList();

  /**
   * The entity id of a warm-up sale ({@link WarmupSales}): its sale id behind this prefix. Its events and snapshots
   * go to the warm-up journal and snapshot store (tables nothing else reads) under a persistence id of their own.
   */
  static final String WARMUP_PREFIX = "warmup-";
  private static final String WARMUP_ENTITY = "SaleWarmup";
  private static final String WARMUP_JOURNAL = "flashsale-warmup-journal";
  private static final String WARMUP_SNAPSHOT_STORE = "flashsale-warmup-snapshot-store";

  private static final String EXPIRY_TIMER = "expiry";
  private static final String ROOM_TIMER = "room";

  private final String saleId;
  private final boolean warmup;
  private final String tag;
  private final Clock clock;
  private final SaleSettings settings;
  private final TimerScheduler<SaleCommand> timers;
  private final ActorRef<SaleCommand> self;
  private final ActorContext<SaleCommand> context;
  private final ActorRef<Topic.Command<SaleUpdate>> topic;
  private final SaleDecisions decisions;
  private final SaleInbox inbox;
  private final PaymentSettlement settlement;
  private final SaleMonitor monitor;
  private final RoomControl room;
  /** Where the waiting room's updates go; spawned when the sale first has a room. */
  private ActorRef<Topic.Command<RoomUpdate>> roomTopic;
  private RoomUpdate lastRoomUpdate;

  public static void init(ActorSystem<?> system, Clock clock, SaleSettings settings,
      PaymentGateway gateway, SaleMonitor monitor) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(ENTITY_KEY, ctx -> {
      String id = ctx.getEntityId();
      return create(id, clock, settings, gateway, monitor);
    }));
  }

  /** Sends a command to a sale entity through sharding, for actors that need no answer. */
  public static BiConsumer<String, SaleCommand> sender(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return (saleId, command) -> sharding.entityRefFor(ENTITY_KEY, saleId).tell(command);
  }

  /**
   * @param gateway called to settle payment attempts in doubt ({@link PaymentSettlement})
   */
  public static Behavior<SaleCommand> create(String saleId, Clock clock, SaleSettings settings, PaymentGateway gateway,
      SaleMonitor monitor) {
    boolean warmup = saleId.startsWith(WARMUP_PREFIX);
    String id = warmup ? saleId.substring(WARMUP_PREFIX.length()) : saleId;
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      SaleInbox inbox = new SaleInbox(settings.maxWaitingRequests(),
          ctx.getSystem().settings().config().getInt("akka.persistence.typed.stash-capacity"));
      PaymentSettlement settlement = new PaymentSettlement(gateway, settings.settleAfter(), settings.gatewayTimeout(),
          ctx, monitor);
      Sale sale = new Sale(id, warmup, clock, settings, timers, ctx, inbox, settlement, monitor);
      return Behaviors.intercept(() -> inbox, sale);
    }));
  }

  /** The sale's id in the event journal. */
  public static String persistenceId(UUID saleId) {
    return persistenceIdOf(saleId.toString()).id();
  }

  private static PersistenceId persistenceIdOf(String saleId) {
    return PersistenceId.of(ENTITY_KEY.name(), saleId);
  }

  public static String tagFor(String saleId) {
    return TAGS.get(Math.floorMod(saleId.hashCode(), TAGS.size()));
  }

  private Sale(String saleId, boolean warmup, Clock clock, SaleSettings settings, TimerScheduler<SaleCommand> timers,
      ActorContext<SaleCommand> context, SaleInbox inbox,
      PaymentSettlement settlement, SaleMonitor monitor) {
    // A failed journal write or recovery restarts the entity (after a back-off) from the journal. Its
    // children (the pub-sub topic) are kept: this object, which holds them, lives on.
    super(warmup ? PersistenceId.of(WARMUP_ENTITY, saleId) : persistenceIdOf(saleId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1)
            .withStopChildren(false));
    this.inbox = inbox;
    this.settlement = settlement;
    this.monitor = monitor;
    this.saleId = saleId;
    this.warmup = warmup;
    this.tag = tagFor(saleId);
    this.clock = clock;
    this.settings = settings;
    this.timers = timers;
    this.context = context;
    this.self = context.getSelf();
    this.topic = context.spawn(Topic.create(SaleUpdate.class, SaleUpdate.topicName(saleId)), "updates");
    this.decisions = new SaleDecisions(settings, this::afterChange, Effect());
    this.room = new RoomControl(settings.room(), clock.instant());
  }

  @Override
  public String journalPluginId() {
    return warmup ? WARMUP_JOURNAL : "";
  }

  @Override
  public String snapshotPluginId() {
    return warmup ? WARMUP_SNAPSHOT_STORE : "";
  }

  @Override
  public SaleState emptyState() {
    return SaleState.blank(saleId);
  }

  @Override
  public CommandHandlerWithReply<SaleCommand, SaleEvent, SaleState> commandHandler() {
    CommandHandlerWithReplyBuilder<SaleCommand, SaleEvent, SaleState> builder = newCommandHandlerWithReplyBuilder();
    builder.forState(state -> !state.isCreated())
        .onCommand(SaleCommand.Create.class, (state, cmd) -> decisions.create(state, cmd, now()))
        .onCommand(ExpireHolds.class, (state, cmd) -> Effect().noReply())
        .onCommand(SaleCommand.WakeUp.class, (state, cmd) -> Effect().noReply())
        .onCommand(SaleCommand.RoomTick.class, (state, cmd) -> Effect().noReply())
        .onCommand(SaleCommand.RoomReport.class, (state, cmd) -> Effect().noReply())
        .onCommand(SaleCommand.OrderBatch.class, (state, cmd) -> decisions.rejectBatch(cmd, ErrorCode.NOT_FOUND, "No such sale"))
        .onAnyCommand((state, cmd) -> decisions.reject(cmd, ErrorCode.NOT_FOUND, "No such sale"));
    builder.forState(state -> state.isCreated() && state.openHolds().anyDueAt(now(), settings.paymentGrace()))
        .onCommand(WithReply.class, (state, cmd) -> decisions.releaseDueHoldsFirst(state, cmd, now(), self::tell));
    builder.forState(SaleState::isCreated)
        .onCommand(SaleCommand.Create.class, (state, cmd) -> decisions.createAgain(state, cmd, now()))
        .onCommand(SaleCommand.OrderCommand.class, (state, cmd) -> decisions.decide(state, cmd, now()))
        .onCommand(SaleCommand.OrderBatch.class, (state, cmd) -> decisions.decideBatch(state, cmd, now()))
        .onCommand(SaleCommand.GetOrder.class, (state, cmd) -> decisions.getOrder(state, cmd))
        .onCommand(SaleCommand.ChangeSale.class, (state, cmd) -> decisions.change(state, cmd, now()))
        .onCommand(SaleCommand.CancelSale.class, (state, cmd) -> decisions.cancelSale(state, cmd, now()))
        .onCommand(SaleCommand.Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
            new SaleReply.SaleDetails(state.view(now()), state.room() == null ? null : lastRoomUpdate)))
        .onCommand(ExpireHolds.class, (state, cmd) -> {
          settlement.settleDue(state, now());
          return decisions.expireHolds(state, now());
        })
        .onCommand(SaleCommand.PaymentSettled.class, (state, cmd) -> {
          settlement.onSettled(cmd, state, context.getSystem().ignoreRef()).ifPresent(self::tell);
          return Effect().noReply();
        })
        .onCommand(SaleCommand.WakeUp.class, (state, cmd) -> {
          publish(state);
          return Effect().noReply();
        })
        .onCommand(SaleCommand.RoomTick.class, (state, cmd) -> roomTick(state))
        .onCommand(SaleCommand.RoomReport.class, (state, cmd) -> {
          room.report(cmd, now());
          return Effect().noReply();
        });
    CommandHandlerWithReply<SaleCommand, SaleEvent, SaleState> handler = builder.build();
    return (state, command) -> {
      inbox.taken();
      return handler.apply(state, command);
    };
  }

  @Override
  public EventHandler<SaleState, SaleEvent> eventHandler() {
    return SaleState::apply;
  }

  @Override
  public SignalHandler<SaleState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          inbox.recovered();
          room.restarted(now());
          afterChange(state);
        })
        // A journal write or the recovery failed: the entity restarts from the journal after a back-off. The
        // requests waiting for the failed write are answered now (503: they may retry), and requests are
        // refused until the entity has recovered.
        .onSignal(PreRestart.instance(), state -> {
          inbox.failed();
          monitor.entityRestarted();
          if (decisions.writeFailed()) {
            monitor.journalWriteFailed();
          }
        })
        .onSignal(PostStop.instance(), state -> monitor.paymentsInDoubt(saleId, 0))
        .build();
  }

  /**
   * After recovery and after every write: re-arm the expiry timer, tell every node, and start settling the
   * payment attempts in doubt that are due.
   */
  private void afterChange(SaleState state) {
    armExpiry(state);
    armRoom(state);
    publish(state);
    settlement.settleDue(state, now());
    monitor.paymentsInDoubt(saleId, state.paymentsInDoubt().size());
  }

  /**
   * A tick of the waiting room ({@link RoomControl}): admission moves on, is written, and only then published,
   * so that no node ever shows a watermark the journal could lose.
   */
  private ReplyEffect<SaleEvent, SaleState> roomTick(SaleState state) {
    if (state.room() == null) {
      timers.cancel(ROOM_TIMER);
      return Effect().noReply();
    }
    RoomControl.Tick tick = room.tick(state, now());
    if (tick.update().phase() == RoomUpdate.Phase.CLOSED) {
      timers.cancel(ROOM_TIMER);
    }
    if (tick.advanced() == null) {
      publishRoom(tick.update());
      return Effect().noReply();
    }
    return decisions.record(tick.advanced()).thenRun(written -> publishRoom(tick.update())).thenNoReply();
  }

  private void publishRoom(RoomUpdate update) {
    lastRoomUpdate = update;
    if (roomTopic == null) {
      roomTopic = context.spawn(Topic.create(RoomUpdate.class, RoomUpdate.topicName(saleId)), "room-updates");
    }
    roomTopic.tell(Topic.publish(update));
  }

  /**
   * The room ticks while the sale has a room and is not over. A write that changed the room's phase (the last unit
   * held or sold, a unit back, the room paused) is told to every node at once, not at the next tick: waiting
   * buyers learn within a second that the stock is gone.
   */
  private void armRoom(SaleState state) {
    if (state.room() != null && lastRoomUpdate != null) {
      RoomUpdate.Phase phase = RoomControl.phase(state, now());
      if (phase != lastRoomUpdate.phase()) {
        publishRoom(lastRoomUpdate.inPhase(phase, now()));
      }
    }
    boolean open = state.room() != null && RoomControl.phase(state, now()) != RoomUpdate.Phase.CLOSED;
    if (!open) {
      timers.cancel(ROOM_TIMER);
    } else if (!timers.isTimerActive(ROOM_TIMER)) {
      timers.startTimerAtFixedRate(ROOM_TIMER, new SaleCommand.RoomTick(now()), settings.room().tick());
    }
  }

  /** Publishes the sale to its topic, which every node's live view and SSE streams subscribe to. */
  private void publish(SaleState state) {
    if (state.isCreated()) {
      topic.tell(Topic.publish(new SaleUpdate(state.view(now()), lastSequenceNumber(context))));
    }
  }

  /**
   * Arms the single expiry timer for the earliest due hold or payment attempt to settle, at most
   * {@code expiryCheck} ahead (the deadline is read from the node's clock, the timer runs in real time).
   * Called after recovery and after every change, the timer's own included.
   */
  private void armExpiry(SaleState state) {
    Instant next = earliest(state.openHolds().nextDeadline(settings.paymentGrace()), settlement.nextDue(state));
    if (next == null) {
      timers.cancel(EXPIRY_TIMER);
      return;
    }
    Duration delay = Duration.between(now(), next);
    if (delay.isNegative()) {
      delay = Duration.ZERO;
    } else if (delay.compareTo(settings.expiryCheck()) > 0) {
      delay = settings.expiryCheck();
    }
    timers.startSingleTimer(EXPIRY_TIMER, new ExpireHolds(now()), delay);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  @Override
  public Set<String> tagsFor(SaleEvent event) {
    return Set.of(tag);
  }

  /**
   * Snapshots come from {@link #shouldSnapshot}; this count is never reached. Retention is set all the
   * same because without it a request sent while a write failed can go unanswered under CPU load
   * (SaleBatchTest.aFailedWriteLosesTheWholeBatchAndAnswersNoHold catches that).
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1_000_000_000, 2);
  }

  /** See {@link SnapshotPolicy}: a snapshot costs O(orders) and pauses the entity while it is written. */
  @Override
  public boolean shouldSnapshot(SaleState state, SaleEvent event, long sequenceNr) {
    return SnapshotPolicy.isDue(sequenceNr, state.orderCount(), settings.snapshotEvery());
  }

  @Override
  public SnapshotAdapter<SaleState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(SaleState state) {
        return state.toSnapshot();
      }

      @Override
      public SaleState fromJournal(Object from) {
        return SaleState.fromSnapshot((SaleSnapshot) from);
      }
    };
  }

  private Instant now() {
    return clock.instant();
  }
}
