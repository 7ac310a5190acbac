package com.flashsale.readmodel;

import com.flashsale.Money;
import com.flashsale.Page;
import com.flashsale.order.OrderHistory;
import com.flashsale.order.OrderJson;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.OrderStatus;
import com.flashsale.sale.PaymentStatus;
import com.flashsale.storage.Database;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** The order lists, read from the {@code orders} table {@link ReadModelHandler} writes. */
public final class OrderQueries implements OrderHistory {

  private static final String COLUMNS =
      "id, sale_id, user_id, quantity, unit_price, status, created_at, expires_at, payment_ref, payment_status";

  private final Database db;

  public OrderQueries(Database db) {
    this.db = db;
  }

  @Override
  public CompletionStage<Optional<Page<OrderJson>>> ordersOfBuyer(String userId, int limit, String after) {
    return db.run(c -> {
      OffsetDateTime cursorCreatedAt = null;
      if (after != null) {
        // The cursor is looked up among the buyer's own orders: another buyer's order id tells nothing.
        try (PreparedStatement st = c.prepareStatement("SELECT created_at FROM orders WHERE id = ? AND user_id = ?")) {
          st.setString(1, after);
          st.setString(2, userId);
          try (ResultSet rs = st.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            cursorCreatedAt = rs.getObject(1, OffsetDateTime.class);
          }
        }
      }
      String sql = "SELECT " + COLUMNS + " FROM orders WHERE user_id = ?"
          + (after == null ? "" : " AND (created_at, id) < (?, ?)")
          + " ORDER BY created_at DESC, id DESC LIMIT ?";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        int i = 1;
        st.setString(i++, userId);
        if (after != null) {
          st.setObject(i++, cursorCreatedAt);
          st.setString(i++, after);
        }
        st.setInt(i, limit + 1);
        return Optional.of(page(st, limit));
      }
    });
  }

  @Override
  public CompletionStage<Optional<OrderJson>> order(OrderId id) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM orders WHERE id = ?")) {
        st.setString(1, id.toString());
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.of(order(rs)) : Optional.<OrderJson>empty();
        }
      }
    });
  }

  @Override
  public CompletionStage<Page<OrderJson>> ordersOfSale(UUID saleId, OrderStatus status, int limit, OrderId after) {
    return db.run(c -> {
      String sql = "SELECT " + COLUMNS + " FROM orders WHERE sale_id = ? AND order_no > ?"
          + (status == null ? "" : " AND status = ?") + " ORDER BY order_no LIMIT ?";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        int i = 1;
        st.setObject(i++, saleId);
        st.setLong(i++, after == null ? 0 : after.orderNo());
        if (status != null) {
          st.setString(i++, status.name());
        }
        st.setInt(i, limit + 1);
        return page(st, limit);
      }
    });
  }

  private static Page<OrderJson> page(PreparedStatement st, int limit) throws SQLException {
    List<OrderJson> items = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        items.add(order(rs));
      }
    }
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    List<OrderJson> pageItems = items.subList(0, limit);
    return new Page<>(List.copyOf(pageItems), pageItems.get(limit - 1).id());
  }

  private static OrderJson order(ResultSet rs) throws SQLException {
    BigDecimal unitPrice = rs.getBigDecimal("unit_price");
    int quantity = rs.getInt("quantity");
    return new OrderJson(rs.getString("id"), rs.getObject("sale_id").toString(), rs.getString("user_id"), quantity,
        Money.format(unitPrice), Money.format(unitPrice.multiply(BigDecimal.valueOf(quantity))),
        OrderStatus.valueOf(rs.getString("status")), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("expires_at").toInstant(), rs.getString("payment_ref"),
        rs.getString("payment_status") == null ? null : PaymentStatus.valueOf(rs.getString("payment_status")));
  }
}
