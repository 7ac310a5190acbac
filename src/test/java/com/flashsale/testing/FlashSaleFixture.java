package com.flashsale.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One real node on a fresh PostgreSQL database with a hand-moved clock, plus shortcuts to arrange
 * test data through the public API. Sales are live by default; the entity sweeps expired holds
 * every 200 ms so moving the clock past a hold shows up quickly.
 */
public final class FlashSaleFixture implements AutoCloseable {

  public static final String ADMIN_EMAIL = "admin@flashsale.local";
  public static final String ADMIN_PASSWORD = "admin-change-me";

  public final TestClock clock;
  public final FlashSaleNode.Running node;
  public final ApiClient api;
  /** The node's database (for what only SQL shows, such as the payment simulator's ledger). */
  public final String dbUrl;
  private String adminToken;

  private FlashSaleFixture(String dbUrl, TestClock clock, Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("flashsale.sale.expiry-check", "200ms");
    settings.putAll(extra);
    this.clock = clock;
    this.dbUrl = dbUrl;
    this.node = TestNodes.single(dbUrl, clock, settings);
    this.api = ApiClient.forPort(node.httpPort());
  }

  public static FlashSaleFixture start(String purpose) {
    return start(purpose, Map.of());
  }

  public static FlashSaleFixture start(String purpose, Map<String, Object> extra) {
    return new FlashSaleFixture(TestDatabase.fresh(purpose), TestClock.atNow(), extra);
  }

  /**
   * A node on the database of a fixture that has stopped (with its sales), its clock at {@code now}: for a node
   * whose settings or time differ from the one that arranged the data.
   */
  public static FlashSaleFixture startOn(String dbUrl, Instant now, Map<String, Object> extra) {
    return new FlashSaleFixture(dbUrl, new TestClock(now), extra);
  }

  public synchronized String adminToken() {
    if (adminToken == null) {
      adminToken = api.post("/api/auth/login", null, Map.of("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD))
          .json().get("token").asText();
    }
    return adminToken;
  }

  /** A token for a synthetic buyer, minted with the node's secret (as load tests do). */
  public String buyerToken(String userId) {
    return node.tokens().issue(userId, Role.CUSTOMER);
  }

  public String newBuyerToken() {
    return buyerToken(UUID.randomUUID().toString());
  }

  /** Registers a real user and returns their token. */
  public String register(String email) {
    return api.post("/api/auth/register", null, Map.of("email", email, "password", "password-123", "name", "Buyer"))
        .json().get("token").asText();
  }

  public JsonNode createProduct() {
    return api.post("/api/admin/products", adminToken(), Map.of(
        "name", "Sneakers", "description", "Limited run", "imageUrl", "https://img.example/s.png", "price", "99.90"))
        .json();
  }

  /** A sale of a new product, live from one second ago for a day, with {@code terms} overriding defaults. */
  public JsonNode createSale(Map<String, Object> terms) {
    Map<String, Object> body = new HashMap<>();
    body.put("productId", createProduct().get("id").asText());
    body.put("stock", 10);
    body.put("startsAt", clock.instant().minusSeconds(1).toString());
    body.put("endsAt", clock.instant().plus(Duration.ofDays(1)).toString());
    body.putAll(terms);
    ApiClient.Response response = api.post("/api/admin/sales", adminToken(), body);
    if (response.status() != 201) {
      throw new IllegalStateException("Could not create a sale: " + response);
    }
    return response.json();
  }

  public String createSaleId(Map<String, Object> terms) {
    return createSale(terms).get("id").asText();
  }

  public Instant now() {
    return clock.instant();
  }

  @Override
  public void close() {
    node.stop();
  }
}
