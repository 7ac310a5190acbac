package com.flashsale.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.sale.SaleCatalog.Scheduled;
import com.flashsale.sale.SaleStatus;
import com.flashsale.sale.SaleUpdate;
import com.flashsale.storage.Database;
import com.flashsale.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sales the live views follow and the scheduler wakes, read from the {@code sales} and {@code orders}
 * tables on PostgreSQL, arranged here as {@link ReadModelHandler} writes them.
 */
class SaleQueriesTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Instant SINCE = NOW.minusSeconds(60);

  private static Database database;
  private static SaleQueries queries;

  @BeforeAll
  static void startDatabase() {
    database = TestDatabase.migrated("sale_queries");
    queries = new SaleQueries(database);
  }

  @AfterAll
  static void stopDatabase() {
    database.close();
  }

  @BeforeEach
  void emptyTables() throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM orders");
      st.executeUpdate("DELETE FROM sales");
    }
  }

  @Test
  void schedulesSalesNotCancelledAndNotEndedAndEverySaleWithWorkLeft() throws Exception {
    UUID upcoming = sale(NOW.plusSeconds(600), NOW.plusSeconds(3_600), 0, false, 1);
    UUID live = sale(NOW.minusSeconds(600), NOW.plusSeconds(3_600), 0, false, 1);
    UUID justEnded = sale(NOW.minusSeconds(3_600), NOW.minusSeconds(30), 0, false, 1);
    UUID endedWithHolds = sale(NOW.minusSeconds(7_200), NOW.minusSeconds(3_600), 2, false, 1);
    UUID endedPaying = sale(NOW.minusSeconds(7_200), NOW.minusSeconds(3_600), 0, false, 1);
    order(endedPaying, 1, "PENDING");
    UUID cancelledPaying = sale(NOW.minusSeconds(600), NOW.plusSeconds(3_600), 0, true, 1);
    order(cancelledPaying, 1, "PENDING");
    UUID endedPaid = sale(NOW.minusSeconds(7_200), NOW.minusSeconds(3_600), 0, false, 1);
    order(endedPaid, 1, "CAPTURED");
    sale(NOW.minusSeconds(600), NOW.plusSeconds(3_600), 0, true, 1); // cancelled, nothing left

    Map<String, Scheduled> scheduled = queries.toSchedule(SINCE).toCompletableFuture().join().stream()
        .collect(Collectors.toMap(Scheduled::saleId, Function.identity()));

    assertThat(scheduled.keySet()).containsExactlyInAnyOrder(upcoming.toString(), live.toString(),
        justEnded.toString(), endedWithHolds.toString(), endedPaying.toString(), cancelledPaying.toString());
    assertThat(scheduled.values()).filteredOn(Scheduled::hasOpenWork).extracting(Scheduled::saleId)
        .containsExactlyInAnyOrder(endedWithHolds.toString(), endedPaying.toString(), cancelledPaying.toString());
    assertThat(scheduled.get(cancelledPaying.toString()).cancelled()).isTrue();
    assertThat(scheduled.get(live.toString()).startsAt()).isEqualTo(NOW.minusSeconds(600));
    assertThat(scheduled.get(live.toString()).endsAt()).isEqualTo(NOW.plusSeconds(3_600));
  }

  @Test
  void activeSalesAreThoseEndingLaterOrHoldingUnitsWithTheirStatusNowAndTheirSequenceNumber() throws Exception {
    UUID live = sale(NOW.minusSeconds(600), NOW.plusSeconds(3_600), 1, false, 42);
    UUID ended = sale(NOW.minusSeconds(3_600), NOW.minusSeconds(30), 0, false, 7);
    UUID endedWithHolds = sale(NOW.minusSeconds(7_200), NOW.minusSeconds(3_600), 2, false, 9);
    sale(NOW.minusSeconds(7_200), NOW.minusSeconds(3_600), 0, false, 3); // long ended

    List<SaleUpdate> active = queries.active(SINCE, NOW).toCompletableFuture().join();

    assertThat(active).extracting(update -> update.sale().id())
        .containsExactly(endedWithHolds.toString(), ended.toString(), live.toString());
    assertThat(active).extracting(SaleUpdate::version).containsExactly(9L, 7L, 42L);
    assertThat(active).extracting(update -> update.sale().status())
        .containsExactly(SaleStatus.ENDED, SaleStatus.ENDED, SaleStatus.LIVE);
  }

  private static UUID sale(Instant startsAt, Instant endsAt, int reserved, boolean cancelled, long seqNr)
      throws Exception {
    UUID id = UUID.randomUUID();
    try (Connection c = database.dataSource().getConnection(); PreparedStatement st = c.prepareStatement("""
        INSERT INTO sales (id, product_id, price, stock, available, reserved, confirmed, released, starts_at, ends_at,
                           per_user_limit, hold_seconds, cancelled, created_at, updated_at, seq_nr)
        VALUES (?, ?, 10.00, 10, ?, ?, 0, 0, ?, ?, 2, 60, ?, ?, ?, ?)""")) {
      st.setObject(1, id);
      st.setObject(2, UUID.randomUUID());
      st.setInt(3, 10 - reserved);
      st.setInt(4, reserved);
      st.setTimestamp(5, Timestamp.from(startsAt));
      st.setTimestamp(6, Timestamp.from(endsAt));
      st.setBoolean(7, cancelled);
      st.setTimestamp(8, Timestamp.from(startsAt));
      st.setTimestamp(9, Timestamp.from(startsAt));
      st.setLong(10, seqNr);
      st.executeUpdate();
    }
    return id;
  }

  private static void order(UUID saleId, long orderNo, String paymentStatus) throws Exception {
    try (Connection c = database.dataSource().getConnection(); PreparedStatement st = c.prepareStatement("""
        INSERT INTO orders (id, sale_id, order_no, user_id, quantity, unit_price, status, created_at, expires_at,
                            updated_at, seq_nr, payment_status)
        VALUES (?, ?, ?, 'buyer', 1, 10.00, 'EXPIRED', ?, ?, ?, 1, ?)""")) {
      st.setString(1, saleId + "-" + orderNo);
      st.setObject(2, saleId);
      st.setLong(3, orderNo);
      st.setTimestamp(4, Timestamp.from(NOW.minusSeconds(7_200)));
      st.setTimestamp(5, Timestamp.from(NOW.minusSeconds(7_000)));
      st.setTimestamp(6, Timestamp.from(NOW.minusSeconds(7_000)));
      st.setString(7, paymentStatus);
      st.executeUpdate();
    }
  }
}
