package com.flashsale.cluster;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.typed.javadsl.Adapter;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.sale.SaleEvent;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.Storm;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rules 1 and 2 on a real 2-node cluster (two actor systems on loopback, real PostgreSQL):
 * a purchase storm through both nodes' HTTP never sells past the stock, and every acknowledged order
 * survives a restart of the whole cluster, exactly once.
 */
class ClusterPurchaseTest {

  static final int STOCK = 500;
  static final int BUYERS = 2_000;
  static final int ATTEMPTS = 5_000;

  private final List<FlashSaleNode.Running> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(FlashSaleNode.Running::stop);
  }

  private void startCluster(String dbUrl) {
    int seed = TestNodes.freePort();
    int second = TestNodes.freePort();
    nodes.add(FlashSaleNode.start(TestNodes.config(dbUrl, seed, List.of(seed), Map.of()), Clock.systemUTC()));
    nodes.add(FlashSaleNode.start(TestNodes.config(dbUrl, second, List.of(seed), Map.of()), Clock.systemUTC()));
    eventually(Duration.ofSeconds(30), () -> nodes.forEach(node -> assertThat(
        StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
            .filter(member -> member.status() == MemberStatus.up()).count()).isEqualTo(2)));
  }

  private List<ApiClient> apis() {
    return nodes.stream().map(node -> ApiClient.forPort(node.httpPort())).toList();
  }

  @Test
  void aStormOverTwoNodesSellsExactlyTheStockAndEveryAcknowledgedOrderSurvivesARestart() throws Exception {
    String dbUrl = TestDatabase.fresh("cluster_purchase");
    startCluster(dbUrl);
    ApiClient first = apis().get(0);
    String admin = first.post("/api/auth/login", null,
        Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).json().get("token").asText();
    String productId = first.post("/api/admin/products", admin,
        Map.of("name", "Console", "description", "", "price", "499.00")).json().get("id").asText();
    String saleId = first.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", STOCK,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
    Map<String, String> buyerByToken = new HashMap<>();
    for (int i = 0; i < BUYERS; i++) {
      String buyer = UUID.randomUUID().toString();
      buyerByToken.put(nodes.get(0).tokens().issue(buyer, Role.CUSTOMER), buyer);
    }

    Storm.Result storm = Storm.run(apis(), saleId, List.copyOf(buyerByToken.keySet()), buyerByToken::get, ATTEMPTS, 64);
    System.out.println("2-node storm: " + storm.summary());

    List<Storm.Attempt> reserved = storm.attempts().stream().filter(a -> a.status() == 201).toList();
    Set<String> acknowledged = reserved.stream().map(Storm.Attempt::orderId).collect(Collectors.toSet());
    assertThat(reserved).hasSize(STOCK);
    assertThat(acknowledged).hasSize(STOCK);
    assertThat(Storm.statuses(storm)).isSubsetOf(200, 201, 409);
    assertThat(storm.attempts().stream().filter(a -> a.status() == 409).map(Storm.Attempt::code))
        .containsOnly("SOLD_OUT");
    assertThat(storm.attempts().stream().filter(a -> a.status() == 200).map(Storm.Attempt::orderId))
        .allMatch(acknowledged::contains);
    Map<String, String> ownerOf = reserved.stream()
        .collect(Collectors.toMap(Storm.Attempt::orderId, Storm.Attempt::buyer));
    assertThat(Set.copyOf(ownerOf.values())).hasSize(STOCK);

    nodes.forEach(FlashSaleNode.Running::stop);
    nodes.clear();
    startCluster(dbUrl);

    List<ApiClient> restarted = apis();
    int i = 0;
    for (Map.Entry<String, String> order : ownerOf.entrySet()) {
      String ownerToken = nodes.get(0).tokens().issue(order.getValue(), Role.CUSTOMER);
      ApiClient.Response read = restarted.get(i++ % restarted.size()).get("/api/orders/" + order.getKey(), ownerToken);
      assertThat(read.status()).as(read.toString()).isEqualTo(200);
      assertThat(read.json().get("status").asText()).isEqualTo("RESERVED");
      assertThat(read.json().get("userId").asText()).isEqualTo(order.getValue());
    }
    String adminAgain = restarted.get(1).post("/api/auth/login", null,
        Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).json().get("token").asText();
    JsonNode stats = restarted.get(1).get("/api/admin/sales/" + saleId + "/stats", adminAgain).json();
    assertThat(stats.get("stock").asInt()).isEqualTo(STOCK);
    assertThat(stats.get("reserved").asInt()).isEqualTo(STOCK);
    assertThat(stats.get("available").asInt()).isZero();
    assertThat(reservationsInJournal(saleId)).isEqualTo(STOCK);
  }

  /**
   * The holds the journal records for the sale, read back through the read journal and the events' own
   * serializer: exactly one per acknowledged order means nothing was applied twice.
   */
  private long reservationsInJournal(String saleId) {
    JdbcReadJournal journal = PersistenceQuery.get(Adapter.toClassic(nodes.get(0).system()))
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId("Sale|" + saleId, 0, Long.MAX_VALUE)
        .map(envelope -> envelope.event() instanceof SaleEvent.HoldsTaken taken ? taken.holds().size()
            : envelope.event() instanceof SaleEvent.UnitsReserved ? 1 : 0)
        .runFold(0L, (sum, holds) -> sum + holds, nodes.get(0).system())
        .toCompletableFuture().join();
  }

}
