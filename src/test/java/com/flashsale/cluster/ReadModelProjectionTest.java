package com.flashsale.cluster;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.Storm;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 6 (exactly-once read model) on a real 2-node cluster: after a purchase storm during
 * which one node restarts (moving sale entities and projection instances), plus payments and
 * cancellations, the {@code orders} and {@code sales} read tables equal the entities' truth: every
 * acknowledged order exactly once, none missing, counts equal to the entity's stats.
 */
class ReadModelProjectionTest {

  static final int STOCK = 300;

  private final List<FlashSaleNode.Running> nodes = new ArrayList<>();
  private final int seedPort = TestNodes.freePort();

  @AfterEach
  void stopNodes() {
    nodes.forEach(FlashSaleNode.Running::stop);
  }

  private FlashSaleNode.Running startNode(String dbUrl) {
    int port = nodes.isEmpty() ? seedPort : TestNodes.freePort();
    FlashSaleNode.Running node =
        FlashSaleNode.start(TestNodes.config(dbUrl, port, List.of(seedPort), Map.of()), Clock.systemUTC());
    nodes.add(node);
    return node;
  }

  private void awaitMembers(int count) {
    eventually(Duration.ofSeconds(30), () -> nodes.forEach(node -> assertThat(
        StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
            .filter(member -> member.status() == MemberStatus.up()).count()).isEqualTo(count)));
  }

  @Test
  void theReadModelEqualsTheEntitiesAfterAStormWithANodeRestartMidway() throws Exception {
    String dbUrl = TestDatabase.fresh("read_model");
    FlashSaleNode.Running first = startNode(dbUrl);
    startNode(dbUrl);
    awaitMembers(2);
    ApiClient api = ApiClient.forPort(first.httpPort());
    String admin = api.post("/api/auth/login", null,
        Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).json().get("token").asText();
    String productId = api.post("/api/admin/products", admin,
        Map.of("name", "Lamp", "description", "", "price", "20.00")).json().get("id").asText();
    String saleId = api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", STOCK,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
    Map<String, String> buyerByToken = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      String buyer = UUID.randomUUID().toString();
      buyerByToken.put(first.tokens().issue(buyer, Role.CUSTOMER), buyer);
    }
    List<String> tokens = List.copyOf(buyerByToken.keySet());

    // Half the storm, then node 2 leaves and comes back while the second half runs against node 1.
    Storm.Result before = Storm.run(List.of(api), saleId, tokens.subList(0, 500), buyerByToken::get, 1_000, 32);
    CompletableFuture<Storm.Result> during = CompletableFuture.supplyAsync(() ->
        Storm.run(List.of(api), saleId, tokens.subList(500, 1_000), buyerByToken::get, 1_000, 32));
    nodes.remove(1).stop();
    startNode(dbUrl);
    Storm.Result after = during.join();
    awaitMembers(2);

    Map<String, String> acknowledged = new HashMap<>();
    for (Storm.Result result : List.of(before, after)) {
      result.attempts().stream().filter(a -> a.status() == 201).forEach(a -> acknowledged.put(a.orderId(), a.buyer()));
    }
    assertThat(acknowledged).hasSize(STOCK);
    List<String> orderIds = List.copyOf(acknowledged.keySet());
    for (String orderId : orderIds.subList(0, 50)) {
      String owner = first.tokens().issue(acknowledged.get(orderId), Role.CUSTOMER);
      assertThat(api.post("/api/orders/" + orderId + "/pay", owner, Map.of("paymentToken", "tok")).status())
          .isEqualTo(200);
    }
    for (String orderId : orderIds.subList(50, 80)) {
      String owner = first.tokens().issue(acknowledged.get(orderId), Role.CUSTOMER);
      assertThat(api.delete("/api/orders/" + orderId, owner).status()).isEqualTo(200);
    }

    JsonNode stats = api.get("/api/admin/sales/" + saleId + "/stats", admin).json();
    assertThat(stats.get("confirmed").asInt()).isEqualTo(50);
    assertThat(stats.get("released").asInt()).isEqualTo(30);
    eventually(Duration.ofSeconds(20), () -> assertThat(readModelSale(dbUrl, saleId)).isEqualTo(Map.of(
        "stock", stats.get("stock").asInt(), "available", stats.get("available").asInt(),
        "reserved", stats.get("reserved").asInt(), "confirmed", stats.get("confirmed").asInt(),
        "released", stats.get("released").asInt())));
    Map<String, String> statusById = readModelOrders(dbUrl, saleId);
    assertThat(statusById.keySet()).isEqualTo(acknowledged.keySet());
    assertThat(orderIds.subList(0, 50)).allMatch(id -> statusById.get(id).equals("CONFIRMED"));
    assertThat(orderIds.subList(50, 80)).allMatch(id -> statusById.get(id).equals("CANCELLED"));
    assertThat(orderIds.subList(80, STOCK)).allMatch(id -> statusById.get(id).equals("RESERVED"));
    Set<String> pagedByAdmin = adminPages(api, admin, saleId);
    assertThat(pagedByAdmin).isEqualTo(acknowledged.keySet());
  }

  /** Walks the admin's keyset pages of the sale's orders, 64 at a time; fails on a repeated id. */
  private static Set<String> adminPages(ApiClient api, String admin, String saleId) {
    List<String> seen = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = api.get("/api/admin/sales/" + saleId + "/orders?limit=64"
          + (after == null ? "" : "&after=" + after), admin).json();
      page.get("items").forEach(order -> seen.add(order.get("id").asText()));
      after = page.get("next").isNull() ? null : page.get("next").asText();
    } while (after != null);
    assertThat(seen).doesNotHaveDuplicates();
    return Set.copyOf(seen);
  }

  private static Map<String, Integer> readModelSale(String dbUrl, String saleId) {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement(
             "SELECT stock, available, reserved, confirmed, released FROM sales WHERE id = ?")) {
      st.setObject(1, UUID.fromString(saleId));
      try (ResultSet rs = st.executeQuery()) {
        assertThat(rs.next()).as("sale row projected").isTrue();
        return Map.of("stock", rs.getInt(1), "available", rs.getInt(2), "reserved", rs.getInt(3),
            "confirmed", rs.getInt(4), "released", rs.getInt(5));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> readModelOrders(String dbUrl, String saleId) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement("SELECT id, status FROM orders WHERE sale_id = ?")) {
      st.setObject(1, UUID.fromString(saleId));
      Map<String, String> statusById = new HashMap<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          assertThat(statusById.put(rs.getString(1), rs.getString(2))).as("order listed once").isNull();
        }
      }
      return statusById;
    }
  }
}
