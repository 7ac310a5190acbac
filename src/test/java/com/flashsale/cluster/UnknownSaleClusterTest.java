package com.flashsale.cluster;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.ShardRegion.ShardState;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.http.Json;
import com.flashsale.sale.KnownSales;
import com.flashsale.sale.Sale;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sale id nobody created, on any endpoint that names a sale, is answered 404 without starting a sale entity
 * anywhere in the cluster ({@link KnownSales}), while a sale just created is reachable at once on every node: on
 * the one that created it and on another, before the read model has it, and also where its id had been asked
 * for (and found unknown) before it existed. Two nodes on loopback, real PostgreSQL.
 */
class UnknownSaleClusterTest {

  /**
   * Unknown ids are remembered for ten minutes, and the live views read the read model only at start: so a node
   * that had an id as unknown can learn of the sale only from its creation's announcement.
   */
  private static final Map<String, Object> SETTINGS = Map.of("flashsale.sale-ids.unknown-ttl", "10m",
      "flashsale.live-view.refresh-interval", "10m");

  private static String dbUrl;
  private static final List<FlashSaleNode.Running> nodes = new ArrayList<>();
  private static final List<ApiClient> apis = new ArrayList<>();
  private static String admin;
  private static String adminId;

  @BeforeAll
  static void startCluster() {
    dbUrl = TestDatabase.fresh("unknown_sale_cluster");
    int seed = TestNodes.freePort();
    int second = TestNodes.freePort();
    nodes.add(FlashSaleNode.start(TestNodes.config(dbUrl, seed, List.of(seed), SETTINGS), Clock.systemUTC()));
    nodes.add(FlashSaleNode.start(TestNodes.config(dbUrl, second, List.of(seed), SETTINGS), Clock.systemUTC()));
    eventually(Duration.ofSeconds(30), () -> nodes.forEach(node -> assertThat(
        StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
            .filter(member -> member.status() == MemberStatus.up()).count()).isEqualTo(2)));
    nodes.forEach(node -> apis.add(ApiClient.forPort(node.httpPort())));
    adminId = UUID.randomUUID().toString();
    admin = nodes.get(0).tokens().issue(adminId, Role.ADMIN);
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(FlashSaleNode.Running::stop);
  }

  // ---- arranging ----

  private static Map<String, Object> liveSaleBody() {
    String productId = apis.get(0).post("/api/admin/products", admin,
        Map.of("name", "Console", "description", "", "price", "499.00")).json().get("id").asText();
    return Map.of("productId", productId, "stock", 10, "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString());
  }

  private static String buyer() {
    return nodes.get(0).tokens().issue(UUID.randomUUID().toString(), Role.CUSTOMER);
  }

  /** The sale entities every node hosts now, by id (cluster sharding's own account of its regions). */
  private static Set<String> hostedSales() {
    Set<String> ids = new HashSet<>();
    for (FlashSaleNode.Running node : nodes) {
      CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
              ClusterSharding.get(node.system()).shardState(),
              replyTo -> new GetShardRegionState(Sale.ENTITY_KEY, replyTo), Duration.ofSeconds(5),
              node.system().scheduler())
          .toCompletableFuture().join();
      for (ShardState shard : state.getShards()) {
        ids.addAll(shard.getEntityIds());
      }
    }
    return ids;
  }

  /** Journal rows of these sales. */
  private static long journalRowsOf(Set<String> saleIds) throws SQLException {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement("SELECT count(*) FROM event_journal WHERE persistence_id = ANY (?)")) {
      Array ids = c.createArrayOf("varchar", saleIds.stream().map(id -> Sale.persistenceId(UUID.fromString(id))).toArray());
      st.setArray(1, ids);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void assertNoSuchSale(Response response) {
    assertThat(response.status()).as("%s", response).isEqualTo(404);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.code()).isEqualTo("NOT_FOUND");
    assertThat(response.json().get("detail").asText()).isEqualTo("No such sale");
  }

  /** Every request that names a sale id a client chose, as a buyer or an admin. */
  private static List<Function<ApiClient, Response>> requestsNaming(String saleId) {
    String buyer = buyer();
    String orderId = saleId + "-1";
    return List.of(
        api -> api.get("/api/sales/" + saleId, null),
        api -> api.get("/api/sales/" + saleId + "/events", null),
        api -> api.post("/api/sales/" + saleId + "/purchase", buyer, null),
        api -> api.send("POST", "/api/sales/" + saleId + "/purchase", buyer, null, null,
            Map.of("Idempotency-Key", "retry-" + UUID.randomUUID())),
        api -> api.get("/api/orders/" + orderId, buyer),
        api -> api.delete("/api/orders/" + orderId, buyer),
        api -> api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_visa")),
        api -> api.patch("/api/admin/sales/" + saleId, admin, Map.of("addStock", 1)),
        api -> api.post("/api/admin/sales/" + saleId + "/cancel", admin, null),
        api -> api.get("/api/admin/sales/" + saleId + "/stats", admin));
  }

  // ---- the tests ----

  @Test
  void randomSaleIdsOnEveryEndpointAndNodeAre404AndStartNoEntity() throws SQLException {
    String existing = apis.get(0).post("/api/admin/sales", admin, liveSaleBody()).json().get("id").asText();
    assertThat(apis.get(1).post("/api/sales/" + existing + "/purchase", buyer(), null).status()).isEqualTo(201);
    Set<String> before = hostedSales();
    assertThat(before).contains(existing);

    Set<String> randomIds = new HashSet<>();
    int requests = 0;
    for (int i = 0; i < 10; i++) {
      String saleId = UUID.randomUUID().toString();
      randomIds.add(saleId);
      for (Function<ApiClient, Response> request : requestsNaming(saleId)) {
        for (ApiClient api : apis) {
          assertNoSuchSale(request.apply(api));
          assertNoSuchSale(request.apply(api)); // again: now from memory
          requests += 2;
        }
      }
    }

    assertThat(requests).isEqualTo(400);
    Set<String> after = hostedSales();
    assertThat(after).as("entities hosted after %d requests naming random sale ids", requests)
        .doesNotContainAnyElementsOf(randomIds)
        .isSubsetOf(before);
    assertThat(journalRowsOf(randomIds)).isZero();
  }

  @Test
  void aNewSaleIsPurchasableAtOnceOnTheNodeThatCreatedItAndOnTheOtherBeforeTheReadModelHasIt() throws SQLException {
    Map<String, Object> body = liveSaleBody();
    // The read model cannot take the new sale while the test holds the sales table: nothing here may rely on it.
    try (Connection lock = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password())) {
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("LOCK TABLE sales IN SHARE MODE");
      }
      try {
        Response created = apis.get(0).post("/api/admin/sales", admin, body);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String saleId = created.json().get("id").asText();

        Response onCreator = apis.get(0).post("/api/sales/" + saleId + "/purchase", buyer(), null);
        Response onOther = apis.get(1).post("/api/sales/" + saleId + "/purchase", buyer(), null);
        Response readOnOther = apis.get(1).get("/api/sales/" + saleId, null);
        Response orderOnOther = apis.get(1).get("/api/orders/" + onCreator.json().get("id").asText(), admin);

        assertThat(onCreator.status()).as("purchase on the creating node: %s", onCreator).isEqualTo(201);
        assertThat(onOther.status()).as("purchase on the other node: %s", onOther).isEqualTo(201);
        assertThat(readOnOther.status()).as("%s", readOnOther).isEqualTo(200);
        assertThat(readOnOther.json().get("available").asInt()).isEqualTo(8);
        assertThat(orderOnOther.status()).as("%s", orderOnOther).isEqualTo(200);
        JsonNode listed = apis.get(1).get("/api/sales?limit=100", null).json().get("items");
        assertThat(listed.findValuesAsText("id")).as("the read model does not have the sale yet").doesNotContain(saleId);
      } finally {
        lock.rollback();
      }
    }
  }

  @Test
  void aSaleAskedForBeforeItExistedIsFoundOnEveryNodeOnceCreated() {
    // An admin's Idempotency-Key names the sale's id before it exists (SaleRoutes.create derives it).
    String key = "early-" + UUID.randomUUID();
    String saleId = UUID.nameUUIDFromBytes(("sale\n" + adminId + "\n" + key).getBytes(StandardCharsets.UTF_8)).toString();
    for (ApiClient api : apis) {
      assertNoSuchSale(api.get("/api/sales/" + saleId, null));
      assertNoSuchSale(api.post("/api/sales/" + saleId + "/purchase", buyer(), null));
    }
    announcementsReachEveryNode();

    Response created = apis.get(0).send("POST", "/api/admin/sales", admin, "application/json",
        Json.bytes(liveSaleBody()), Map.of("Idempotency-Key", key));

    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().get("id").asText()).isEqualTo(saleId);
    assertThat(apis.get(0).get("/api/sales/" + saleId, null).status()).as("on the creating node, at once").isEqualTo(200);
    eventually(Duration.ofSeconds(5), () -> assertThat(apis.get(1).get("/api/sales/" + saleId, null).status())
        .as("on the other node, told by the announcement (its unknown ids last ten minutes)").isEqualTo(200));
    assertThat(apis.get(1).post("/api/sales/" + saleId + "/purchase", buyer(), null).status()).isEqualTo(201);
  }

  /**
   * Pub-sub reaches a node once its subscription has spread through the cluster: waits until the first node sees
   * both nodes' instances of the announcement topic (through a probe instance it spawns there).
   */
  private static void announcementsReachEveryNode() {
    FlashSaleNode.Running first = nodes.get(0);
    ActorRef<Topic.Command<KnownSales.Announced>> probe = first.system().systemActorOf(
        Topic.create(KnownSales.Announced.class, KnownSales.TOPIC), "announcement-probe-" + UUID.randomUUID(),
        Props.empty());
    // The probe has no subscriber, so it does not count itself: the instances it knows are the two nodes'.
    eventually(Duration.ofSeconds(10), () -> assertThat(
        AskPattern.<Topic.Command<KnownSales.Announced>, Topic.TopicStats>ask(probe,
                replyTo -> Topic.getTopicStats(replyTo), Duration.ofSeconds(5), first.system().scheduler())
            .toCompletableFuture().join().topicInstanceCount()).isEqualTo(2));
  }
}
