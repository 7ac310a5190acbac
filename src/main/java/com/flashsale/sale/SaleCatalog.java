package com.flashsale.sale;

import com.flashsale.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Which sales exist ({@code sale_catalog}), so they can be listed. Only ids live here: everything
 * else about a sale is asked of its entity.
 */
public final class SaleCatalog {

  static final int MAX_LISTED = 1000;

  private final Database db;

  public SaleCatalog(Database db) {
    this.db = db;
  }

  public CompletionStage<Void> register(UUID saleId, UUID productId) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "INSERT INTO sale_catalog (id, product_id) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")) {
        st.setObject(1, saleId);
        st.setObject(2, productId);
        st.executeUpdate();
      }
      return null;
    });
  }

  /** The newest sales first. */
  public CompletionStage<List<UUID>> saleIds() {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id FROM sale_catalog ORDER BY created_at DESC, id LIMIT " + MAX_LISTED);
           ResultSet rs = st.executeQuery()) {
        List<UUID> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add((UUID) rs.getObject(1));
        }
        return ids;
      }
    });
  }
}
