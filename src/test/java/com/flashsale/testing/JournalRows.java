package com.flashsale.testing;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes events into the journal's tables as akka-persistence-jdbc does (an {@code event_journal} row serialized
 * with the service's Akka serialization, and its {@code event_tag} row), on a connection the test owns: with
 * auto-commit off, the rows stay invisible until the test commits, which is how a write that commits late looks.
 */
public final class JournalRows implements AutoCloseable {

  /** Only the service's serialization.conf: its cluster.conf would make this system's termination exit the JVM. */
  private final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-rows",
      ConfigFactory.parseResources("serialization.conf").withFallback(ConfigFactory.parseString("""
          akka.loglevel = WARNING
          akka.coordinated-shutdown.exit-jvm = off""")).withFallback(ConfigFactory.defaultReference()));
  private final Serialization serialization = SerializationExtension.get(system.classicSystem());

  /** Inserts the event with its tag; returns its {@code ordering}. */
  public long insert(Connection c, String persistenceId, long sequenceNr, Object event, String tag) throws SQLException {
    Serializer serializer = serialization.findSerializerFor(event);
    long ordering;
    try (PreparedStatement st = c.prepareStatement("""
        INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                                   event_payload, event_ser_id, event_ser_manifest)
        VALUES (false, ?, ?, ?, ?, '', ?, ?, ?) RETURNING ordering""")) {
      st.setString(1, persistenceId);
      st.setLong(2, sequenceNr);
      st.setString(3, UUID.randomUUID().toString());
      st.setLong(4, System.currentTimeMillis());
      st.setBytes(5, serialization.serialize(event).get());
      st.setInt(6, serializer.identifier());
      st.setString(7, Serializers.manifestFor(serializer, event));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        ordering = rs.getLong(1);
      }
    }
    try (PreparedStatement st = c.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)")) {
      st.setLong(1, ordering);
      st.setString(2, tag);
      st.executeUpdate();
    }
    return ordering;
  }

  public Serialization serialization() {
    return serialization;
  }

  @Override
  public void close() {
    system.terminate();
  }
}
