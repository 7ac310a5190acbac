package com.flashsale.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The payment simulator's ledger (its own table), as tests read it: what was charged, captured or given back. */
public final class PaymentLedger {

  /** One charge (or closed key) under a payment attempt's key. */
  public record Entry(String key, String orderId, String status, String paymentRef) {}

  private final String dbUrl;

  public PaymentLedger(String dbUrl) {
    this.dbUrl = dbUrl;
  }

  /** Every entry of the order, oldest first. */
  public List<Entry> of(String orderId) {
    return query("WHERE order_id = ?", orderId);
  }

  /** Every entry (closed keys included: they have no order). */
  public List<Entry> all() {
    return query("", null);
  }

  private List<Entry> query(String where, String orderId) {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement("SELECT payment_key, order_id, status, payment_ref "
             + "FROM payment_simulator_ledger " + where + " ORDER BY updated_at, payment_key")) {
      if (orderId != null) {
        st.setString(1, orderId);
      }
      List<Entry> entries = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          entries.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
      return entries;
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read the payment ledger", e);
    }
  }
}
