package com.flashsale.sale;

import com.flashsale.Page;
import com.flashsale.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Lists sales from the {@code sales} read table (written by the read-model projection, behind the
 * entities by well under a second), filtered by status at a given instant and keyset-paginated by
 * start time.
 */
public final class SaleCatalog {

  /** The API's {@code status} filter values and their SQL conditions (parameter: now). */
  static final Map<String, String> FILTERS = Map.of(
      "upcoming", "NOT cancelled AND starts_at > ?",
      "live", "NOT cancelled AND starts_at <= ? AND ends_at > ?",
      "ended", "(cancelled OR ends_at <= ?)");

  private final Database db;

  public SaleCatalog(Database db) {
    this.db = db;
  }

  /** @param filter one of {@link #FILTERS}' keys, or null for every sale */
  public CompletionStage<Page<SaleView>> list(String filter, Instant now, int limit, UUID after) {
    return db.run(c -> {
      String condition = filter == null ? "TRUE" : FILTERS.get(filter);
      String sql = "SELECT * FROM sales WHERE " + condition
          + (after == null ? "" : " AND (starts_at, id) > (SELECT starts_at, id FROM sales WHERE id = ?)")
          + " ORDER BY starts_at, id LIMIT ?";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        int i = 1;
        for (int n = 0; n < condition.chars().filter(ch -> ch == '?').count(); n++) {
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

  private static SaleView view(ResultSet rs, Instant now) throws SQLException {
    Instant startsAt = rs.getTimestamp("starts_at").toInstant();
    Instant endsAt = rs.getTimestamp("ends_at").toInstant();
    int available = rs.getInt("available");
    return new SaleView(rs.getObject("id").toString(), rs.getObject("product_id").toString(), rs.getBigDecimal("price"),
        rs.getInt("stock"), available, rs.getInt("reserved"), rs.getInt("confirmed"), rs.getInt("released"),
        SaleStatus.at(now, rs.getBoolean("cancelled"), startsAt, endsAt, available), startsAt, endsAt,
        rs.getInt("per_user_limit"), rs.getInt("hold_seconds"));
  }
}
