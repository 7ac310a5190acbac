package com.flashsale.readmodel;

import com.flashsale.sale.SaleEvent.UnitsReserved;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code UnitsReserved} events of one sale in a row (no other event of that sale between them), written to the read
 * model as two statements however many there are: one multi-row insert of the orders and one update of the sale's
 * counters. In a flash sale nearly every event is a reservation, so this replaces two statements per reservation
 * (and as many new versions of the same hot {@code sales} row) with two per run. The counters add only the events
 * above the row's {@code seq_nr}, so a run applied again, even in part, changes nothing twice.
 */
final class ReservationRun {

  private final UUID saleId;
  private final List<Long> seqNrs = new ArrayList<>();
  private final List<UnitsReserved> events = new ArrayList<>();

  ReservationRun(UUID saleId) {
    this.saleId = saleId;
  }

  /** Adds the sale's next reservation. */
  void add(long seqNr, UnitsReserved event) {
    seqNrs.add(seqNr);
    events.add(event);
  }

  /** Writes the run, if any, and empties it. */
  void flush(Connection c) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    int n = events.size();
    String[] ids = new String[n];
    Long[] orderNos = new Long[n];
    String[] userIds = new String[n];
    Integer[] quantities = new Integer[n];
    Long[] reservedAt = new Long[n];
    Long[] expiresAt = new Long[n];
    Long[] seqs = seqNrs.toArray(Long[]::new);
    for (int i = 0; i < n; i++) {
      UnitsReserved e = events.get(i);
      ids[i] = saleId + "-" + e.orderNo();
      orderNos[i] = e.orderNo();
      userIds[i] = e.userId();
      quantities[i] = e.quantity();
      reservedAt[i] = micros(e.reservedAt());
      expiresAt[i] = micros(e.expiresAt());
    }
    try (PreparedStatement st = c.prepareStatement("""
        INSERT INTO orders (id, sale_id, order_no, user_id, quantity, unit_price, status, created_at, expires_at,
                            updated_at, seq_nr)
        SELECT u.id, s.id, u.order_no, u.user_id, u.quantity, s.price, 'RESERVED',
               timestamptz 'epoch' + u.reserved_at * interval '1 microsecond',
               timestamptz 'epoch' + u.expires_at * interval '1 microsecond',
               timestamptz 'epoch' + u.reserved_at * interval '1 microsecond', u.seq_nr
        FROM unnest(?::varchar[], ?::bigint[], ?::varchar[], ?::int[], ?::bigint[], ?::bigint[], ?::bigint[])
               AS u(id, order_no, user_id, quantity, reserved_at, expires_at, seq_nr)
        CROSS JOIN sales s WHERE s.id = ?
        ON CONFLICT (id) DO NOTHING""")) {
      st.setArray(1, c.createArrayOf("varchar", ids));
      st.setArray(2, c.createArrayOf("bigint", orderNos));
      st.setArray(3, c.createArrayOf("varchar", userIds));
      st.setArray(4, c.createArrayOf("int4", quantities));
      st.setArray(5, c.createArrayOf("bigint", reservedAt));
      st.setArray(6, c.createArrayOf("bigint", expiresAt));
      st.setArray(7, c.createArrayOf("bigint", seqs));
      st.setObject(8, saleId);
      st.executeUpdate();
    }
    try (PreparedStatement st = c.prepareStatement("""
        UPDATE sales s SET available = s.available - d.units, reserved = s.reserved + d.units,
                           updated_at = ?, seq_nr = ?
        FROM (SELECT coalesce(sum(u.quantity), 0) AS units
              FROM unnest(?::bigint[], ?::int[]) AS u(seq_nr, quantity)
              WHERE u.seq_nr > (SELECT seq_nr FROM sales WHERE id = ?)) d
        WHERE s.id = ? AND s.seq_nr < ?""")) {
      st.setTimestamp(1, Timestamp.from(events.get(n - 1).reservedAt()));
      st.setLong(2, seqs[n - 1]);
      st.setArray(3, c.createArrayOf("bigint", seqs));
      st.setArray(4, c.createArrayOf("int4", quantities));
      st.setObject(5, saleId);
      st.setObject(6, saleId);
      st.setLong(7, seqs[n - 1]);
      st.executeUpdate();
    }
    seqNrs.clear();
    events.clear();
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
