package com.flashsale.product;

import com.flashsale.Money;
import com.flashsale.storage.Database;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code products} table. Sale pages show product details on every read, so lookups by id are
 * cached for a few seconds; an edit is seen at once on the node that made it, within
 * {@link #CACHE_MILLIS} elsewhere.
 */
public final class Products {

  static final long CACHE_MILLIS = 5_000;

  private record Cached(Product product, long loadedAt) {}

  private final Database db;
  private final ConcurrentHashMap<UUID, Cached> cache = new ConcurrentHashMap<>();

  public Products(Database db) {
    this.db = db;
  }

  public CompletionStage<Product> create(String name, String description, String imageUrl, BigDecimal price) {
    UUID id = UUID.randomUUID();
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "INSERT INTO products (id, name, description, image_url, price) VALUES (?, ?, ?, ?, ?)")) {
        st.setObject(1, id);
        st.setString(2, name);
        st.setString(3, description);
        st.setString(4, imageUrl);
        st.setBigDecimal(5, price);
        st.executeUpdate();
      }
      return remember(id, new Product(id.toString(), name, description, imageUrl, Money.format(price)));
    });
  }

  /** Replaces a product's fields; empty if there is no such product. */
  public CompletionStage<Optional<Product>> update(UUID id, String name, String description, String imageUrl,
      BigDecimal price) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE products SET name = ?, description = ?, image_url = ?, price = ?, updated_at = now() WHERE id = ?")) {
        st.setString(1, name);
        st.setString(2, description);
        st.setString(3, imageUrl);
        st.setBigDecimal(4, price);
        st.setObject(5, id);
        if (st.executeUpdate() == 0) {
          return Optional.empty();
        }
      }
      return Optional.of(remember(id, new Product(id.toString(), name, description, imageUrl, Money.format(price))));
    });
  }

  public CompletionStage<Optional<Product>> find(UUID id) {
    Cached cached = cache.get(id);
    if (cached != null && System.currentTimeMillis() - cached.loadedAt() < CACHE_MILLIS) {
      return CompletableFuture.completedFuture(Optional.of(cached.product()));
    }
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, name, description, image_url, price FROM products WHERE id = ?")) {
        st.setObject(1, id);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.of(remember(id, product(rs))) : Optional.empty();
        }
      }
    });
  }

  public CompletionStage<List<Product>> list() {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, name, description, image_url, price FROM products ORDER BY created_at DESC, id LIMIT 1000");
           ResultSet rs = st.executeQuery()) {
        List<Product> products = new ArrayList<>();
        while (rs.next()) {
          products.add(product(rs));
        }
        return products;
      }
    });
  }

  private Product remember(UUID id, Product product) {
    cache.put(id, new Cached(product, System.currentTimeMillis()));
    return product;
  }

  private static Product product(ResultSet rs) throws SQLException {
    return new Product(rs.getObject("id").toString(), rs.getString("name"), rs.getString("description"),
        rs.getString("image_url"), Money.format(rs.getBigDecimal("price")));
  }
}
