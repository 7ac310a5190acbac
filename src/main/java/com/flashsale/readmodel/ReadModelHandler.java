package com.flashsale.readmodel;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import com.flashsale.sale.OrderStatus;
import com.flashsale.sale.PaymentStatus;
import com.flashsale.sale.RoomTerms;
import com.flashsale.sale.SaleEvent;
import com.flashsale.storage.PooledJdbcSession;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies sale events to the {@code sales} and {@code orders} read tables, a group at a time inside the
 * projection's transaction (which also stores the group's offset). Every statement is guarded by the event's sequence
 * number, so an event applied twice changes nothing: replays are harmless.
 *
 * <p>No event is missed: a sale's row remembers the sequence number of its last event applied, and when the next
 * event of a sale is further on than that (the read journal skipped an event whose write committed after it gave up
 * waiting for it), the events in between are read from the journal by the sale's persistence id and applied first.
 * The last events of a sale that has none after them are caught by {@link ReadModelAudit}.
 */
final class ReadModelHandler extends JdbcHandler<List<EventEnvelope<SaleEvent>>, PooledJdbcSession> {

  private static final Logger log = LoggerFactory.getLogger(ReadModelHandler.class);

  private final JournalEvents journal;
  private final Consumer<Duration> lagObserver;
  private final IntConsumer repaired;

  /** @param repaired told how many events it applied from the journal because the read journal skipped them */
  ReadModelHandler(JournalEvents journal, Consumer<Duration> lagObserver, IntConsumer repaired) {
    this.journal = journal;
    this.lagObserver = lagObserver;
    this.repaired = repaired;
  }

  /** A group of envelopes, applied in order in one transaction together with the group's offset. */
  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<SaleEvent>> envelopes) throws Exception {
    session.withConnection(c -> {
      Map<UUID, Long> lastOfSale = new LinkedHashMap<>();
      // Each sale's reservations wait in a run of their own until another event of that sale needs them written
      // (a payment of a held order) or the group ends. Sales touch only their own rows, so the tag's interleaved
      // sales do not cut each other's runs short: many sales at once cost two statements per sale and group, not
      // two per batch.
      Map<UUID, ReservationRun> runs = new LinkedHashMap<>();
      for (EventEnvelope<SaleEvent> envelope : withSkippedEvents(c, envelopes)) {
        UUID saleId = saleIdOf(envelope);
        lastOfSale.merge(saleId, envelope.sequenceNr(), Math::max);
        if (envelope.event() instanceof SaleEvent.UnitsReserved reserved) {
          runs.computeIfAbsent(saleId, ReservationRun::new).add(envelope.sequenceNr(), reserved);
        } else if (envelope.event() instanceof SaleEvent.HoldsTaken taken) {
          ReservationRun run = runs.computeIfAbsent(saleId, ReservationRun::new);
          for (SaleEvent.UnitsReserved reserved : taken.reservations()) {
            run.add(envelope.sequenceNr(), reserved);
          }
        } else if (!changesNothingShown(envelope.event())) {
          ReservationRun run = runs.remove(saleId);
          if (run != null) {
            run.flush(c);
          }
          apply(c, saleId, envelope.sequenceNr(), envelope.event());
        }
      }
      for (ReservationRun run : runs.values()) {
        run.flush(c);
      }
      // Events that change no sale counter (payment steps, bound keys) still count as applied.
      for (Map.Entry<UUID, Long> last : lastOfSale.entrySet()) {
        update(c, "UPDATE sales SET seq_nr = ? WHERE id = ? AND seq_nr < ?", last.getValue(), last.getKey(),
            last.getValue());
      }
      return null;
    });
    EventEnvelope<SaleEvent> last = envelopes.get(envelopes.size() - 1);
    lagObserver.accept(Duration.between(Instant.ofEpochMilli(last.timestamp()), Instant.now()));
  }

  /**
   * The group, with each sale's events the read journal skipped (between the last one applied and the next one
   * delivered) read from the journal and put before it. A later event of a sale proves the earlier ones committed:
   * the entity writes one at a time.
   */
  private List<EventEnvelope<SaleEvent>> withSkippedEvents(Connection c, List<EventEnvelope<SaleEvent>> envelopes)
      throws SQLException {
    Map<UUID, Long> expected = new HashMap<>();
    List<EventEnvelope<SaleEvent>> all = new ArrayList<>(envelopes.size());
    for (EventEnvelope<SaleEvent> envelope : envelopes) {
      UUID saleId = saleIdOf(envelope);
      Long next = expected.get(saleId);
      if (next == null) {
        next = appliedSeqNr(c, saleId) + 1;
      }
      if (envelope.sequenceNr() > next) {
        List<EventEnvelope<SaleEvent>> skipped = journal.of(c, saleId, next, envelope.sequenceNr() - 1);
        log.warn("The read journal skipped events {}..{} of sale {} (their write committed late); applying the {} "
            + "found in the journal", next, envelope.sequenceNr() - 1, saleId, skipped.size());
        repaired.accept(skipped.size());
        all.addAll(skipped);
      }
      all.add(envelope);
      expected.put(saleId, Math.max(next, envelope.sequenceNr() + 1));
    }
    return all;
  }

  /** The sequence number of the sale's last event applied; 0 if none is (no row yet). */
  private static long appliedSeqNr(Connection c, UUID saleId) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT seq_nr FROM sales WHERE id = ?")) {
      st.setObject(1, saleId);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static UUID saleIdOf(EventEnvelope<SaleEvent> envelope) {
    String persistenceId = envelope.persistenceId();
    return UUID.fromString(persistenceId.substring(persistenceId.indexOf('|') + 1));
  }

  /** Events the read side does not show; they neither write nor end a run of reservations. */
  private static boolean changesNothingShown(SaleEvent event) {
    return event instanceof SaleEvent.IdempotencyKeyBound || event instanceof SaleEvent.ChangeKeyBound
        || event instanceof SaleEvent.AdmissionAdvanced;
  }

  private static void apply(Connection c, UUID saleId, long seqNr, SaleEvent event) throws SQLException {
    if (event instanceof SaleEvent.SaleCreated e) {
      update(c, """
          INSERT INTO sales (id, product_id, price, stock, available, reserved, confirmed, released, starts_at, ends_at,
                             per_user_limit, hold_seconds, cancelled, created_at, updated_at, seq_nr,
                             room_prequeue_opens_at, room_difficulty, room_admission_rate, room_paused)
          VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, false, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
          saleId, UUID.fromString(e.productId()), e.price(), e.stock(), e.stock(), ts(e.startsAt()), ts(e.endsAt()),
          e.perUserLimit(), e.holdSeconds(), ts(e.createdAt()), ts(e.createdAt()), seqNr,
          roomColumn(e.room(), room -> ts(room.prequeueOpensAt())), roomColumn(e.room(), RoomTerms::difficulty),
          roomColumn(e.room(), RoomTerms::admissionRate), roomColumn(e.room(), RoomTerms::paused));
    } else if (event instanceof SaleEvent.OrderConfirmed e) {
      int units = openUnits(c, saleId, List.of(e.orderNo()));
      updateSale(c, saleId, seqNr, e.at(), "reserved = reserved - ?, confirmed = confirmed + ?", units, units);
      update(c, "UPDATE orders SET status = 'CONFIRMED', payment_ref = ?, payment_status = 'CAPTURED', updated_at = ?, "
          + "seq_nr = ? WHERE sale_id = ? AND order_no = ? AND seq_nr < ?", e.paymentRef(), ts(e.at()), seqNr, saleId,
          e.orderNo(), seqNr);
    } else if (event instanceof SaleEvent.PaymentStarted e) {
      payment(c, saleId, seqNr, e.orderNo(), PaymentStatus.PENDING, null, e.at());
    } else if (event instanceof SaleEvent.PaymentDeclined e) {
      payment(c, saleId, seqNr, e.orderNo(), PaymentStatus.DECLINED, null, e.at());
    } else if (event instanceof SaleEvent.PaymentRefunded e) {
      payment(c, saleId, seqNr, e.orderNo(), PaymentStatus.REFUNDED, e.paymentRef(), e.at());
    } else if (event instanceof SaleEvent.OrderCancelled e) {
      release(c, saleId, seqNr, e.at(), List.of(e.orderNo()), OrderStatus.CANCELLED);
    } else if (event instanceof SaleEvent.HoldsExpired e) {
      release(c, saleId, seqNr, e.at(), e.orderNos(), OrderStatus.EXPIRED);
    } else if (event instanceof SaleEvent.SaleCancelled e) {
      release(c, saleId, seqNr, e.at(), e.releasedOrderNos(), OrderStatus.CANCELLED);
      update(c, "UPDATE sales SET cancelled = true WHERE id = ?", saleId);
    } else if (event instanceof SaleEvent.StockAdded e) {
      updateSale(c, saleId, seqNr, e.at(), "stock = stock + ?, available = available + ?", e.units(), e.units());
    } else if (event instanceof SaleEvent.SaleRescheduled e) {
      updateSale(c, saleId, seqNr, e.at(), "starts_at = ?, ends_at = ?", ts(e.startsAt()), ts(e.endsAt()));
    } else if (event instanceof SaleEvent.RoomChanged e) {
      updateSale(c, saleId, seqNr, e.at(), "room_prequeue_opens_at = ?, room_difficulty = ?, room_admission_rate = ?, "
          + "room_paused = ?", roomColumn(e.room(), room -> ts(room.prequeueOpensAt())),
          roomColumn(e.room(), RoomTerms::difficulty), roomColumn(e.room(), RoomTerms::admissionRate),
          roomColumn(e.room(), RoomTerms::paused));
    }
  }

  /** A column of the sale's waiting room: null for a sale without one. */
  private static Object roomColumn(RoomTerms room, java.util.function.Function<RoomTerms, Object> column) {
    return room == null ? null : column.apply(room);
  }

  /** An order's latest payment attempt ended or began ({@code paymentRef} null keeps the one shown). */
  private static void payment(Connection c, UUID saleId, long seqNr, long orderNo, PaymentStatus status,
      String paymentRef, Instant at) throws SQLException {
    update(c, "UPDATE orders SET payment_status = ?, payment_ref = coalesce(?, payment_ref), updated_at = ?, seq_nr = ? "
        + "WHERE sale_id = ? AND order_no = ? AND seq_nr < ?", status.name(), paymentRef, ts(at), seqNr, saleId,
        orderNo, seqNr);
  }

  /** Open holds given back: units return to {@code available} and count as released. */
  private static void release(Connection c, UUID saleId, long seqNr, Instant at, List<Long> orderNos,
      OrderStatus outcome) throws SQLException {
    if (orderNos.isEmpty()) {
      return;
    }
    int units = openUnits(c, saleId, orderNos);
    updateSale(c, saleId, seqNr, at, "reserved = reserved - ?, available = available + ?, released = released + ?",
        units, units, units);
    update(c, "UPDATE orders SET status = ?, updated_at = ?, seq_nr = ? "
        + "WHERE sale_id = ? AND order_no = ANY(?) AND status = 'RESERVED' AND seq_nr < ?",
        outcome.name(), ts(at), seqNr, saleId, longArray(c, orderNos), seqNr);
  }

  /** Units held by those of the orders that are still RESERVED in the read model. */
  private static int openUnits(Connection c, UUID saleId, List<Long> orderNos) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT coalesce(sum(quantity), 0) FROM orders "
        + "WHERE sale_id = ? AND order_no = ANY(?) AND status = 'RESERVED'")) {
      st.setObject(1, saleId);
      st.setArray(2, longArray(c, orderNos));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static void updateSale(Connection c, UUID saleId, long seqNr, Instant at, String assignments,
      Object... values) throws SQLException {
    Object[] all = new Object[values.length + 4];
    System.arraycopy(values, 0, all, 0, values.length);
    all[values.length] = ts(at);
    all[values.length + 1] = seqNr;
    all[values.length + 2] = saleId;
    all[values.length + 3] = seqNr;
    update(c, "UPDATE sales SET " + assignments + ", updated_at = ?, seq_nr = ? WHERE id = ? AND seq_nr < ?", all);
  }

  private static void update(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        st.setObject(i + 1, values[i]);
      }
      st.executeUpdate();
    }
  }

  private static Array longArray(Connection c, List<Long> values) throws SQLException {
    return c.createArrayOf("bigint", values.toArray());
  }

  private static Timestamp ts(Instant instant) {
    return Timestamp.from(instant);
  }
}
