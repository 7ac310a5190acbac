package com.flashsale.readmodel;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcProjection;
import akka.serialization.SerializationExtension;
import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import com.flashsale.storage.Database;
import com.flashsale.storage.PooledJdbcSession;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * The read-model projection: one exactly-once (grouped) JDBC projection per sale event tag, run as a sharded
 * daemon process so the tags spread over the nodes and move when nodes come and go. It writes the
 * {@code sales} and {@code orders} tables ({@link ReadModelHandler}); next to each, its {@link ReadModelAudit}
 * makes sure no event is missed.
 */
public final class ReadModelProjection {

  static final String NAME = "read-model";
  static final int GROUP_SIZE = 200;
  static final Duration GROUP_WITHIN = Duration.ofMillis(100);

  private ReadModelProjection() {}

  /**
   * @param lagObserver told, per tag, the age of the last event each group handled
   * @param repaired told how many events reached the read model late because the read journal skipped them
   */
  public static void init(ActorSystem<?> system, Database db, BiConsumer<String, Duration> lagObserver,
      IntConsumer repaired) {
    JournalEvents journal = new JournalEvents(SerializationExtension.get(system.classicSystem()));
    ReadModelAudit.Settings audit = ReadModelAudit.Settings.fromConfig(system.settings().config());
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class,
        NAME,
        Sale.TAGS.size(),
        index -> {
          String tag = Sale.TAGS.get(index);
          return Behaviors.setup(context -> {
            context.spawn(ReadModelAudit.create(tag, db, audit, repaired), "audit");
            return ProjectionBehavior.create(projection(system, db.dataSource(), journal, tag, lagObserver, repaired));
          });
        },
        ShardedDaemonProcessSettings.create(system),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<SaleEvent>> projection(ActorSystem<?> system,
      DataSource dataSource, JournalEvents journal, String tag, BiConsumer<String, Duration> lagObserver,
      IntConsumer repaired) {
    SourceProvider<Offset, EventEnvelope<SaleEvent>> events =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    // Grouped: one transaction (rows + offset, so still exactly-once) per up to 200 events or 100 ms,
    // instead of one per event, which under a storm competed with the journal's own writes.
    return JdbcProjection.groupedWithin(ProjectionId.of(NAME, tag), events,
            () -> new PooledJdbcSession(dataSource),
            () -> new ReadModelHandler(journal, lag -> lagObserver.accept(tag, lag), repaired), system)
        .withGroup(GROUP_SIZE, GROUP_WITHIN);
  }
}
