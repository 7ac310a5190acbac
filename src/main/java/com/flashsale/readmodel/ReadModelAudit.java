package com.flashsale.readmodel;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.query.Offset;
import akka.projection.ProjectionId;
import akka.projection.javadsl.ProjectionManagement;
import com.flashsale.storage.Database;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read model's safety net for one event tag, running next to that tag's projection (same sharded daemon
 * process). The read journal delivers events by tag in {@code ordering} order, and gives up waiting for a hole in
 * it after a while; a write that commits later than that is never delivered. {@link ReadModelHandler} fills such
 * holes when the sale's next event arrives; this audit finds the sales whose last events have no next one: every
 * {@code interval} it compares, for the tag's events the projection has passed within the last {@code window},
 * each sale's last event in the journal with the last one its row has applied. If some sale lags, it rewinds the
 * tag's projection to just before the first missing event, so that the projection itself (the tables' only writer)
 * reads it again; what was applied already is a no-op (every statement is guarded by sequence numbers).
 * It owns nothing but its recent samples of the projection's offset; nobody talks to it.
 */
final class ReadModelAudit {

  private static final Logger log = LoggerFactory.getLogger(ReadModelAudit.class);
  /** On the first check after it starts, how far (in journal rows) below the offset it looks. */
  private static final long FIRST_LOOK_BACK = 10_000;

  /** {@code flashsale.read-model.audit} in flashsale.conf. */
  record Settings(Duration interval, Duration window) {

    static Settings fromConfig(Config config) {
      Config audit = config.getConfig("flashsale.read-model.audit");
      return new Settings(audit.getDuration("interval"), audit.getDuration("window"));
    }
  }

  sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  /** A check's outcome: the projection's offset then, and where to rewind it to (or -1). */
  private record Checked(long offset, long rewindTo, List<String> lagging, int missing) implements Command {}

  private record Failed(Throwable cause) implements Command {}

  /** One sample of the projection's offset, for the window's lower end. */
  private record Sample(long atNanos, long offset) {}

  private final String tag;
  private final Database db;
  private final Settings settings;
  private final IntConsumer repaired;
  private final ActorContext<Command> context;
  private final List<Sample> samples = new ArrayList<>();

  static Behavior<Command> create(String tag, Database db, Settings settings, IntConsumer repaired) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      return new ReadModelAudit(tag, db, settings, repaired, context).idle();
    }));
  }

  private ReadModelAudit(String tag, Database db, Settings settings, IntConsumer repaired,
      ActorContext<Command> context) {
    this.tag = tag;
    this.db = db;
    this.settings = settings;
    this.repaired = repaired;
    this.context = context;
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> {
          long lower = lowerEnd();
          context.pipeToSelf(db.run(c -> check(c, lower)), (checked, failure) -> failure != null ? new Failed(failure)
              : checked);
          return checking();
        })
        .build();
  }

  private Behavior<Command> checking() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same) // the previous check is still running
        .onMessage(Checked.class, this::onChecked)
        .onMessage(Failed.class, failed -> {
          log.debug("Read model audit of {} failed: {}", tag, failed.cause().toString());
          return idle();
        })
        .build();
  }

  private Behavior<Command> onChecked(Checked checked) {
    if (checked.offset() >= 0) {
      samples.add(new Sample(System.nanoTime(), checked.offset()));
    }
    if (checked.rewindTo() >= 0) {
      log.warn("The read model of {} missed the last events of sale(s) {} ({} event(s); their write committed late): "
          + "its projection reads again from ordering {}", tag, checked.lagging(), checked.missing(),
          checked.rewindTo() + 1);
      repaired.accept(checked.missing());
      ProjectionManagement.get(context.getSystem())
          .updateOffset(ProjectionId.of(ReadModelProjection.NAME, tag), Offset.sequence(checked.rewindTo()));
    }
    return idle();
  }

  /** The projection's offset as it was {@code window} ago (or when first sampled): events above it are checked. */
  private long lowerEnd() {
    long windowStart = System.nanoTime() - settings.window().toNanos();
    while (samples.size() > 1 && samples.get(1).atNanos() <= windowStart) {
      samples.remove(0);
    }
    return samples.isEmpty() ? -1 : samples.get(0).offset();
  }

  private Checked check(Connection c, long lowerEnd) throws SQLException {
    long offset = projectionOffset(c);
    if (offset < 0) {
      return new Checked(-1, -1, List.of(), 0);
    }
    long lower = lowerEnd >= 0 ? lowerEnd : Math.max(0, offset - FIRST_LOOK_BACK);
    long rewindTo = -1;
    int missing = 0;
    List<String> lagging = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("""
        SELECT j.persistence_id, max(j.sequence_number), coalesce(s.seq_nr, 0)
        FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id
        LEFT JOIN sales s ON s.id = CAST(substring(j.persistence_id FROM 6) AS uuid)
        WHERE t.tag = ? AND t.event_id > ? AND t.event_id <= ?
        GROUP BY j.persistence_id, s.seq_nr
        HAVING max(j.sequence_number) > coalesce(s.seq_nr, 0)""")) {
      st.setString(1, tag);
      st.setLong(2, lower);
      st.setLong(3, offset);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String persistenceId = rs.getString(1);
          lagging.add(persistenceId.substring(persistenceId.indexOf('|') + 1));
          missing += (int) (rs.getLong(2) - rs.getLong(3));
          long first = firstMissingOrdering(c, persistenceId, rs.getLong(3));
          rewindTo = rewindTo < 0 ? first - 1 : Math.min(rewindTo, first - 1);
        }
      }
    }
    return new Checked(offset, rewindTo, lagging, missing);
  }

  private long projectionOffset(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT current_offset FROM akka_projection_offset_store "
        + "WHERE projection_name = ? AND projection_key = ?")) {
      st.setString(1, ReadModelProjection.NAME);
      st.setString(2, tag);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Long.parseLong(rs.getString(1)) : -1;
      }
    }
  }

  private static long firstMissingOrdering(Connection c, String persistenceId, long applied) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT min(ordering) FROM event_journal WHERE persistence_id = ? AND sequence_number > ?")) {
      st.setString(1, persistenceId);
      st.setLong(2, applied);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
