package com.flashsale.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import com.flashsale.sale.RoomTerms;
import com.flashsale.sale.SaleEvent;
import com.flashsale.storage.Database;
import com.flashsale.storage.PooledJdbcSession;
import com.flashsale.testing.JournalRows;
import com.flashsale.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read-model handler on real PostgreSQL: random event histories of two sales (reservations of
 * several units, payments, cancellations, expiries, stock added, events the read side ignores),
 * applied in random groups and with random stretches applied again, must leave exactly the tables
 * the history describes: each order once with its status, price and times, and each sale's counters.
 */
class ReadModelHandlerTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00.123456Z");

  private static final DateTimeFormatter MICROS_UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private static Database database;
  private static JournalRows journal;

  @BeforeAll
  static void startDatabase() {
    journal = new JournalRows();
    database = TestDatabase.migrated("read_model_handler");
  }

  @AfterAll
  static void stopDatabase() {
    journal.close();
    database.close();
  }

  @BeforeEach
  void emptyTables() throws Exception {
    repairedEvents = 0;
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM orders");
      st.executeUpdate("DELETE FROM sales");
      st.executeUpdate("DELETE FROM event_journal");
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void groupsAndReplaysLeaveExactlyTheHistorysTables(long seed) throws Exception {
    Random random = new Random(seed);
    History history = new History(random);
    history.generate(400);

    List<EventEnvelope<SaleEvent>> all = history.envelopes;
    int next = 0;
    while (next < all.size()) {
      int size = 1 + random.nextInt(random.nextBoolean() ? 5 : 120);
      int end = Math.min(all.size(), next + size);
      if (random.nextInt(4) == 0) {
        // a stretch reaching back into groups already applied (even into their middle): old and new events at once
        process(all.subList(Math.max(0, next - 1 - random.nextInt(60)), end));
      } else {
        process(all.subList(next, end));
      }
      next = end;
    }

    assertSameRows(orders(), history.expectedOrders());
    assertSameRows(sales(), history.expectedSales());
  }

  /**
   * The read journal skips events whose write committed after it gave up waiting for them: with random events of
   * each sale never delivered (all but its last), the tables still come out exactly as the history says, the
   * skipped events read from the journal.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void eventsTheReadJournalSkippedAreAppliedFromTheJournal(long seed) throws Exception {
    Random random = new Random(seed);
    History history = new History(random);
    history.generate(300);
    writeToJournal(history.envelopes);
    Map<String, Long> lastOfSale = new java.util.HashMap<>();
    history.envelopes.forEach(e -> lastOfSale.put(e.persistenceId(), e.sequenceNr()));
    List<EventEnvelope<SaleEvent>> delivered = history.envelopes.stream()
        .filter(e -> e.sequenceNr() == lastOfSale.get(e.persistenceId()) || random.nextInt(4) != 0).toList();
    assertThat(delivered).hasSizeLessThan(history.envelopes.size() - 30);

    int applied = 0;
    while (applied < delivered.size()) {
      int end = Math.min(delivered.size(), applied + 1 + random.nextInt(60));
      process(delivered.subList(applied, end));
      applied = end;
    }

    assertSameRows(orders(), history.expectedOrders());
    assertSameRows(sales(), history.expectedSales());
    assertThat(repairedEvents).isEqualTo(history.envelopes.size() - delivered.size());
  }

  private static void writeToJournal(List<EventEnvelope<SaleEvent>> envelopes) throws Exception {
    try (Connection c = database.dataSource().getConnection()) {
      for (EventEnvelope<SaleEvent> e : envelopes) {
        journal.insert(c, e.persistenceId(), e.sequenceNr(), e.event(), "sale-0");
      }
    }
  }

  /** Equal maps, reporting only the rows that differ. */
  private static void assertSameRows(Map<String, String> actual, Map<String, String> expected) {
    Map<String, String> wrong = new TreeMap<>();
    expected.forEach((id, row) -> {
      if (!row.equals(actual.get(id))) {
        wrong.put(id, "expected [" + row + "] but was [" + actual.get(id) + "]");
      }
    });
    actual.keySet().stream().filter(id -> !expected.containsKey(id)).forEach(id -> wrong.put(id, "unexpected row"));
    assertThat(wrong).as("rows that differ from the history").isEmpty();
  }

  /** Events the handler read from the journal because they were not delivered. */
  private static int repairedEvents;

  private static void process(List<EventEnvelope<SaleEvent>> group) throws Exception {
    PooledJdbcSession session = new PooledJdbcSession(database.dataSource());
    try {
      new ReadModelHandler(new JournalEvents(journal.serialization()), lag -> { }, events -> repairedEvents += events)
          .process(session, new ArrayList<>(group));
      session.commit();
    } finally {
      session.close();
    }
  }

  private static Map<String, String> orders() throws Exception {
    return rows("SELECT id, sale_id || ' ' || order_no || ' ' || user_id || ' ' || quantity || ' ' || unit_price || ' '"
        + " || status || ' ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        + " || ' ' || to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        + " || ' ' || coalesce(payment_status, '-') || ' ' || coalesce(payment_ref, '-') FROM orders");
  }

  private static Map<String, String> sales() throws Exception {
    return rows("SELECT id::text, stock || ' ' || available || ' ' || reserved || ' ' || confirmed || ' ' || released"
        + " || ' ' || coalesce(to_char(room_prequeue_opens_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '-')"
        + " || ' ' || coalesce(room_difficulty::text, '-') || ' ' || coalesce(room_admission_rate::text, '-')"
        + " || ' ' || coalesce(room_paused::text, '-') FROM sales");
  }

  private static Map<String, String> rows(String sql) throws Exception {
    Map<String, String> rows = new TreeMap<>();
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }

  /** A random history of two sales, and what the read model must show after it. */
  private static final class History {
    private final Random random;
    private final List<EventEnvelope<SaleEvent>> envelopes = new ArrayList<>();
    private final List<SaleModel> sales = List.of(new SaleModel(), new SaleModel());
    private long offset;
    private Instant now = T0;

    private final boolean evenlyInterleaved;

    History(Random random) {
      this.random = random;
      this.evenlyInterleaved = random.nextBoolean();
    }

    void generate(int events) {
      sales.get(0).room = new RoomTerms(T0.minusSeconds(900), 12, 0, false);
      for (SaleModel sale : sales) {
        emit(sale, new SaleEvent.SaleCreated(sale.id.toString(), UUID.randomUUID().toString(), sale.price, sale.stock,
            T0, T0.plusSeconds(3600), 5, 600, T0, null, sale.room));
      }
      while (envelopes.size() < events) {
        // mostly one sale at a time, as in a rush, sometimes interleaved; or (half the histories) both at once,
        // as sales selling at the same time are in their tag's stream
        SaleModel sale = sales.get(random.nextInt(10) < (evenlyInterleaved ? 5 : 8) ? 0 : 1);
        now = now.plus(random.nextInt(5_000_000), ChronoUnit.MICROS);
        if (random.nextInt(25) == 0) {
          // the waiting room: an admin's change (or its removal), or its progress, which the tables do not show
          if (random.nextBoolean()) {
            sale.room = random.nextInt(4) == 0 ? null : new RoomTerms(T0.minusSeconds(random.nextInt(3600)),
                1 + random.nextInt(30), random.nextInt(1000), random.nextBoolean());
            emit(sale, new SaleEvent.RoomChanged(sale.room, now, "admin"));
          } else {
            emit(sale, new SaleEvent.AdmissionAdvanced(random.nextLong(1L << 40), random.nextInt(1000),
                random.nextInt(1000), now));
          }
          continue;
        }
        int roll = random.nextInt(100);
        List<Long> open = sale.open();
        if (roll < 60 && sale.available > 0) {
          // one hold, or (as a batch writes them) a run of holds in one event
          int holds = random.nextBoolean() ? 1 : 2 + random.nextInt(6);
          List<SaleEvent.HoldsTaken.Hold> run = new ArrayList<>();
          for (int i = 0; i < holds && sale.available > 0; i++) {
            int quantity = 1 + random.nextInt(Math.min(3, sale.available));
            long orderNo = ++sale.lastOrderNo;
            String user = "user-" + random.nextInt(1000);
            sale.orders.put(orderNo, new OrderModel(user, quantity, now, now.plusSeconds(600)));
            sale.available -= quantity;
            sale.reserved += quantity;
            run.add(new SaleEvent.HoldsTaken.Hold(orderNo, user, quantity, null));
          }
          emit(sale, run.size() == 1
              ? new SaleEvent.UnitsReserved(run.get(0).orderNo(), run.get(0).userId(), run.get(0).quantity(), null, now,
                  now.plusSeconds(600))
              : new SaleEvent.HoldsTaken(now, now.plusSeconds(600), run));
        } else if (roll < 66 && !open.isEmpty()) {
          long orderNo = open.get(random.nextInt(open.size()));
          OrderModel order = sale.orders.get(orderNo);
          if (random.nextBoolean()) {
            order.paymentStatus = "PENDING";
            emit(sale, new SaleEvent.PaymentStarted(orderNo, now, "attempt-" + orderNo));
          } else {
            emit(sale, new SaleEvent.IdempotencyKeyBound(orderNo, order.user, "key-" + orderNo, 1, now));
          }
        } else if (roll < 76 && !open.isEmpty()) {
          long orderNo = open.get(random.nextInt(open.size()));
          OrderModel order = sale.orders.get(orderNo);
          order.status = "CONFIRMED";
          order.paymentStatus = "CAPTURED";
          order.paymentRef = "pay-" + orderNo;
          sale.reserved -= order.quantity;
          sale.confirmed += order.quantity;
          emit(sale, new SaleEvent.OrderConfirmed(orderNo, "pay-" + orderNo, now, "attempt-" + orderNo));
        } else if (roll < 84 && !open.isEmpty()) {
          long orderNo = open.get(random.nextInt(open.size()));
          sale.release(orderNo, "CANCELLED");
          emit(sale, new SaleEvent.OrderCancelled(orderNo, now, null));
        } else if (roll < 90 && !open.isEmpty()) {
          List<Long> expired = open.subList(0, 1 + random.nextInt(Math.min(4, open.size())));
          List<Long> orderNos = List.copyOf(expired);
          orderNos.forEach(orderNo -> sale.release(orderNo, "EXPIRED"));
          emit(sale, new SaleEvent.HoldsExpired(orderNos, now));
        } else if (roll < 93) {
          int units = 1 + random.nextInt(5);
          sale.stock += units;
          sale.available += units;
          emit(sale, new SaleEvent.StockAdded(units, now, null));
        } else if (roll < 96 && !sale.released().isEmpty()) {
          long orderNo = sale.released().get(0);
          OrderModel order = sale.orders.get(orderNo);
          order.paymentStatus = "REFUNDED";
          order.paymentRef = "refunded-" + orderNo;
          emit(sale, new SaleEvent.PaymentRefunded(orderNo, "refunded-" + orderNo, now, "attempt-" + orderNo));
        } else if (!open.isEmpty()) {
          sale.orders.get(open.get(0)).paymentStatus = "DECLINED";
          emit(sale, new SaleEvent.PaymentDeclined(open.get(0), now, "attempt-" + open.get(0)));
        }
      }
    }

    private void emit(SaleModel sale, SaleEvent event) {
      envelopes.add(EventEnvelope.create(Offset.sequence(++offset), "Sale|" + sale.id, ++sale.seqNr, event,
          now.toEpochMilli()));
    }

    Map<String, String> expectedOrders() {
      Map<String, String> rows = new TreeMap<>();
      for (SaleModel sale : sales) {
        sale.orders.forEach((orderNo, order) -> rows.put(sale.id + "-" + orderNo, sale.id + " " + orderNo + " "
            + order.user + " " + order.quantity + " " + sale.price + " " + order.status + " " + utc(order.createdAt)
            + " " + utc(order.expiresAt) + " " + order.paymentStatus + " " + order.paymentRef));
      }
      return rows;
    }

    Map<String, String> expectedSales() {
      Map<String, String> rows = new TreeMap<>();
      for (SaleModel sale : sales) {
        RoomTerms room = sale.room;
        rows.put(sale.id.toString(), sale.stock + " " + sale.available + " " + sale.reserved + " " + sale.confirmed + " "
            + sale.released + " " + (room == null ? "- - - -" : utc(room.prequeueOpensAt()) + " " + room.difficulty()
            + " " + room.admissionRate() + " " + room.paused()));
      }
      return rows;
    }

    private static String utc(Instant instant) {
      return MICROS_UTC.format(instant);
    }
  }

  private static final class SaleModel {
    final UUID id = UUID.randomUUID();
    final BigDecimal price = new BigDecimal("19.99");
    RoomTerms room;
    final Map<Long, OrderModel> orders = new LinkedHashMap<>();
    int stock = 200;
    int available = 200;
    int reserved;
    int confirmed;
    int released;
    long seqNr;
    long lastOrderNo;

    List<Long> open() {
      return orders.entrySet().stream().filter(e -> e.getValue().status.equals("RESERVED")).map(Map.Entry::getKey)
          .toList();
    }

    List<Long> released() {
      return orders.entrySet().stream().filter(e -> e.getValue().status.equals("EXPIRED")
          || e.getValue().status.equals("CANCELLED")).map(Map.Entry::getKey).toList();
    }

    void release(long orderNo, String status) {
      OrderModel order = orders.get(orderNo);
      order.status = status;
      reserved -= order.quantity;
      available += order.quantity;
      released += order.quantity;
    }
  }

  private static final class OrderModel {
    final String user;
    final int quantity;
    final Instant createdAt;
    final Instant expiresAt;
    String status = "RESERVED";
    String paymentStatus = "-";
    String paymentRef = "-";

    OrderModel(String user, int quantity, Instant createdAt, Instant expiresAt) {
      this.user = user;
      this.quantity = quantity;
      this.createdAt = createdAt;
      this.expiresAt = expiresAt;
    }
  }
}
