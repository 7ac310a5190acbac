package com.flashsale.readmodel;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import akka.serialization.Serialization;
import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A sale's events read straight from the journal's table, by persistence id and sequence number, for the
 * ones the read journal's events-by-tag did not deliver: it gives up waiting for a hole in the journal's
 * {@code ordering} after a while, so a write that commits later than that is never delivered by tag.
 * Deserialised as the journal itself does (Akka serialization of the stored serializer id and manifest).
 */
final class JournalEvents {

  private final Serialization serialization;

  JournalEvents(Serialization serialization) {
    this.serialization = serialization;
  }

  /** The sale's events {@code from..to} (sequence numbers, both included), in order. */
  List<EventEnvelope<SaleEvent>> of(Connection c, UUID saleId, long from, long to) throws SQLException {
    String persistenceId = Sale.persistenceId(saleId);
    List<EventEnvelope<SaleEvent>> events = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("""
        SELECT ordering, sequence_number, write_timestamp, event_payload, event_ser_id, event_ser_manifest
        FROM event_journal WHERE persistence_id = ? AND sequence_number BETWEEN ? AND ? AND NOT deleted
        ORDER BY sequence_number""")) {
      st.setString(1, persistenceId);
      st.setLong(2, from);
      st.setLong(3, to);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          SaleEvent event = (SaleEvent) serialization.deserialize(rs.getBytes(4), rs.getInt(5), rs.getString(6)).get();
          events.add(EventEnvelope.create(Offset.sequence(rs.getLong(1)), persistenceId, rs.getLong(2), event,
              rs.getLong(3)));
        }
      }
    }
    return events;
  }
}
