package com.flashsale.readmodel;

import com.flashsale.Page;
import com.flashsale.sale.SaleCatalog;
import com.flashsale.sale.SaleStatus;
import com.flashsale.sale.SaleUpdate;
import com.flashsale.sale.RoomTerms;
import com.flashsale.sale.SaleView;
import com.flashsale.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** The sale queries, read from the {@code sales} table {@link ReadModelHandler} writes. */
public final class SaleQueries implements SaleCatalog {

  private final Database db;

  public SaleQueries(Database db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Page<SaleView>> list(Filter filter, Instant now, int limit, UUID after) {
    return db.run(c -> {
      String condition = filter == null ? "TRUE" : condition(filter);
      String sql = "SELECT * FROM sales WHERE " + condition
          + (after == null ? "" : " AND (starts_at, id) > (SELECT starts_at, id FROM sales WHERE id = ?)")
          + " ORDER BY starts_at, id LIMIT ?";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        int i = 1;
        for (long n = condition.chars().filter(ch -> ch == '?').count(); n > 0; n--) {
          st.setTimestamp(i++, Timestamp.from(now));
        }
        if (after != null) {
          st.setObject(i++, after);
        }
        st.setInt(i, limit + 1);
        List<SaleView> sales = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            sales.add(view(rs, now));
          }
        }
        if (sales.size() <= limit) {
          return new Page<>(sales, null);
        }
        List<SaleView> page = List.copyOf(sales.subList(0, limit));
        return new Page<>(page, page.get(limit - 1).id());
      }
    });
  }

  /** The filter's SQL condition; each {@code ?} is the instant the statuses are taken at. */
  private static String condition(Filter filter) {
    return switch (filter) {
      case UPCOMING -> "NOT cancelled AND starts_at > ?";
      case LIVE -> "NOT cancelled AND starts_at <= ? AND ends_at > ?";
      case ENDED -> "(cancelled OR ends_at <= ?)";
    };
  }

  @Override
  public CompletionStage<List<SaleUpdate>> active(Instant endedSince, Instant now) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT * FROM sales WHERE ends_at > ? OR reserved > 0 ORDER BY starts_at LIMIT " + MAX_ACTIVE)) {
        st.setTimestamp(1, Timestamp.from(endedSince));
        List<SaleUpdate> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            rows.add(new SaleUpdate(view(rs, now), rs.getLong("seq_nr")));
          }
        }
        return rows;
      }
    });
  }

  @Override
  public CompletionStage<List<Scheduled>> toSchedule(Instant endedSince) {
    return db.run(c -> {
      // A payment in doubt may outlive its hold; orders_payment_pending_idx keeps the look-up cheap.
      String paymentPending = "EXISTS (SELECT 1 FROM orders o WHERE o.sale_id = s.id AND o.payment_status = 'PENDING')";
      try (PreparedStatement st = c.prepareStatement(
          "SELECT s.id, s.starts_at, s.ends_at, s.cancelled, s.reserved > 0 OR " + paymentPending + " AS open_work "
              + "FROM sales s WHERE (NOT s.cancelled AND s.ends_at > ?) OR s.reserved > 0 OR " + paymentPending
              + " ORDER BY s.starts_at LIMIT " + MAX_ACTIVE)) {
        st.setTimestamp(1, Timestamp.from(endedSince));
        List<Scheduled> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            rows.add(new Scheduled(rs.getObject("id").toString(), rs.getTimestamp("starts_at").toInstant(),
                rs.getTimestamp("ends_at").toInstant(), rs.getBoolean("cancelled"), rs.getBoolean("open_work")));
          }
        }
        return rows;
      }
    });
  }

  private static SaleView view(ResultSet rs, Instant now) throws SQLException {
    Instant startsAt = rs.getTimestamp("starts_at").toInstant();
    Instant endsAt = rs.getTimestamp("ends_at").toInstant();
    int available = rs.getInt("available");
    return new SaleView(rs.getObject("id").toString(), rs.getObject("product_id").toString(), rs.getBigDecimal("price"),
        rs.getInt("stock"), available, rs.getInt("reserved"), rs.getInt("confirmed"), rs.getInt("released"),
        SaleStatus.at(now, rs.getBoolean("cancelled"), startsAt, endsAt, available), startsAt, endsAt,
        rs.getInt("per_user_limit"), rs.getInt("hold_seconds"), room(rs));
  }

  private static RoomTerms room(ResultSet rs) throws SQLException {
    Timestamp opens = rs.getTimestamp("room_prequeue_opens_at");
    return opens == null ? null : new RoomTerms(opens.toInstant(), rs.getInt("room_difficulty"),
        rs.getInt("room_admission_rate"), rs.getBoolean("room_paused"));
  }
}
