package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.TestClock;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sale scheduler (docs/architecture.md rule 5) on real nodes: it wakes sale entities at their start and end so
 * every node hears LIVE and ENDED with no buyer asking, wakes a sale whose node went away so its holds
 * still expire, and keeps doing so from another node when its own node leaves. The {@code sales} rows
 * are arranged by JDBC: the projection that normally writes them is not under test here.
 */
class SaleSchedulerTest {

  /** How late after its start or end a sale's new status may reach the nodes. */
  private static final Duration PROMPTLY = Duration.ofSeconds(1);
  /**
   * Time to arrange a sale (create it, subscribe, write its row) before its start or end comes. The
   * node's live view wakes a sale it has just begun to follow until it hears from it; it reads the table
   * often here, so that it is done with this sale long before then and only the scheduler wakes it.
   */
  private static final Duration LEAD = Duration.ofSeconds(6);
  private static final Map<String, Object> SETTINGS = Map.of(
      "flashsale.scheduler.poll-interval", "500ms",
      "flashsale.live-view.refresh-interval", "200ms");

  private final List<FlashSaleNode.Running> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(FlashSaleNode.Running::stop);
  }

  @Test
  void publishesLiveAtTheStartWithoutAnyRequest() {
    String dbUrl = TestDatabase.fresh("scheduler_start");
    FlashSaleNode.Running node = startNode(dbUrl, Clock.systemUTC());
    ApiClient api = ApiClient.forPort(node.httpPort());
    Instant startsAt = Instant.now().plus(LEAD);
    JsonNode sale = createSale(api, startsAt, startsAt.plus(Duration.ofHours(1)), 300);
    TestProbe<SaleUpdate> updates = subscribe(node, sale);
    arrangeSalesRow(dbUrl, sale, 0);
    assertThat(Instant.now()).as("arranged before the start").isBefore(startsAt);

    Instant heardAt = awaitStatus(updates, SaleStatus.LIVE, startsAt.plus(PROMPTLY));

    assertThat(heardAt).isBetween(startsAt, startsAt.plus(PROMPTLY));
  }

  @Test
  void publishesEndedAtTheEndWithoutAnyRequest() {
    String dbUrl = TestDatabase.fresh("scheduler_end");
    FlashSaleNode.Running node = startNode(dbUrl, Clock.systemUTC());
    ApiClient api = ApiClient.forPort(node.httpPort());
    Instant endsAt = Instant.now().plus(LEAD);
    JsonNode sale = createSale(api, Instant.now().minusSeconds(1), endsAt, 300);
    TestProbe<SaleUpdate> updates = subscribe(node, sale);
    arrangeSalesRow(dbUrl, sale, 0);
    assertThat(Instant.now()).as("arranged before the end").isBefore(endsAt);

    Instant heardAt = awaitStatus(updates, SaleStatus.ENDED, endsAt.plus(PROMPTLY));

    assertThat(heardAt).isBetween(endsAt, endsAt.plus(PROMPTLY));
  }

  /**
   * The node holding the sale's entity goes away and a day passes: the hold is long overdue, the sale
   * long ended (so no node's live view follows it any more), and no request comes. Only the scheduler,
   * seeing units still reserved, can start the entity again, which then expires the hold.
   */
  @Test
  void expiresTheHoldsOfASaleWhoseNodeWentAwayWithNoTraffic() {
    String dbUrl = TestDatabase.fresh("scheduler_holds");
    TestClock clock = TestClock.atNow();
    FlashSaleNode.Running first = startNode(dbUrl, clock);
    ApiClient api = ApiClient.forPort(first.httpPort());
    JsonNode sale = createSale(api, clock.instant().minusSeconds(1), clock.instant().plus(Duration.ofHours(1)), 10);
    String buyer = first.tokens().issue(UUID.randomUUID().toString(), Role.CUSTOMER);
    ApiClient.Response purchase = api.post("/api/sales/" + sale.get("id").asText() + "/purchase", buyer, null);
    assertThat(purchase.status()).as(purchase.toString()).isEqualTo(201);
    arrangeSalesRow(dbUrl, sale, 1);
    first.stop();
    nodes.remove(first);
    clock.advance(Duration.ofDays(1));
    assertThat(eventsInJournal(dbUrl, sale, "HoldsExpired")).isZero();

    startNode(dbUrl, clock);

    eventually(Duration.ofSeconds(15),
        () -> assertThat(eventsInJournal(dbUrl, sale, "HoldsExpired")).isEqualTo(1));
  }

  @Test
  void wakesASaleAtItsStartAfterTheSchedulersNodeLeft() {
    String dbUrl = TestDatabase.fresh("scheduler_failover");
    int seedPort = TestNodes.freePort();
    FlashSaleNode.Running oldest = startNode(dbUrl, Clock.systemUTC(), seedPort, seedPort);
    FlashSaleNode.Running survivor = startNode(dbUrl, Clock.systemUTC(), TestNodes.freePort(), seedPort);
    eventually(Duration.ofSeconds(20), () -> assertThat(upMembers(survivor)).hasSize(2));
    // The singleton runs on the oldest member: the node that formed the cluster.
    assertThat(upMembers(survivor).stream().reduce((a, b) -> a.isOlderThan(b) ? a : b).orElseThrow().address())
        .isEqualTo(Cluster.get(oldest.system()).selfMember().address());
    ApiClient api = ApiClient.forPort(survivor.httpPort());
    Instant startsAt = Instant.now().plusSeconds(10);
    JsonNode sale = createSale(api, startsAt, startsAt.plus(Duration.ofHours(1)), 300);
    TestProbe<SaleUpdate> updates = subscribe(survivor, sale);
    arrangeSalesRow(dbUrl, sale, 0);

    oldest.stop();
    nodes.remove(oldest);
    assertThat(Instant.now()).as("the node left in time for the test to mean something").isBefore(startsAt);

    Instant heardAt = awaitStatus(updates, SaleStatus.LIVE, startsAt.plus(PROMPTLY));
    assertThat(heardAt).isBetween(startsAt, startsAt.plus(PROMPTLY));
  }

  // ---- arranging ----

  private FlashSaleNode.Running startNode(String dbUrl, Clock clock) {
    FlashSaleNode.Running node = TestNodes.single(dbUrl, clock, SETTINGS);
    nodes.add(node);
    return node;
  }

  private FlashSaleNode.Running startNode(String dbUrl, Clock clock, int port, int seedPort) {
    FlashSaleNode.Running node = FlashSaleNode.start(TestNodes.config(dbUrl, port, List.of(seedPort), SETTINGS), clock);
    nodes.add(node);
    return node;
  }

  private static List<Member> upMembers(FlashSaleNode.Running node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up()).toList();
  }

  private static JsonNode createSale(ApiClient api, Instant startsAt, Instant endsAt, int holdSeconds) {
    String admin = api.post("/api/auth/login", null,
        Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).json().get("token").asText();
    String productId = api.post("/api/admin/products", admin,
        Map.of("name", "Sneakers", "description", "", "price", "99.90")).json().get("id").asText();
    ApiClient.Response created = api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", 10,
        "startsAt", startsAt.toString(), "endsAt", endsAt.toString(), "holdSeconds", holdSeconds));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  /** A probe hearing what the sale's entity publishes, as every node's live view does. */
  private static TestProbe<SaleUpdate> subscribe(FlashSaleNode.Running node, JsonNode sale) {
    String saleId = sale.get("id").asText();
    ActorRef<Topic.Command<SaleUpdate>> topic = node.system().systemActorOf(
        Topic.create(SaleUpdate.class, SaleUpdate.topicName(saleId)), "test-updates-" + saleId, Props.empty());
    TestProbe<SaleUpdate> probe = TestProbe.create(node.system());
    topic.tell(Topic.subscribe(probe.ref()));
    return probe;
  }

  /** Waits until {@code deadline} for an update with {@code status}; answers when it was heard. */
  private static Instant awaitStatus(TestProbe<SaleUpdate> updates, SaleStatus status, Instant deadline) {
    AtomicReference<Instant> heardAt = new AtomicReference<>();
    updates.fishForMessage(Duration.between(Instant.now(), deadline), "an update with status " + status, update -> {
      if (update.sale().status() != status) {
        return FishingOutcomes.continueAndIgnore();
      }
      heardAt.set(Instant.now());
      return FishingOutcomes.complete();
    });
    return heardAt.get();
  }

  /**
   * Writes the sale's row of the read table as the projection would, with {@code reserved} units held.
   * Its sequence number is set past any event, so the projection (if running) leaves it as arranged.
   */
  private static void arrangeSalesRow(String dbUrl, JsonNode sale, int reserved) {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement("""
             INSERT INTO sales (id, product_id, price, stock, available, reserved, confirmed, released, starts_at,
                                ends_at, per_user_limit, hold_seconds, cancelled, created_at, updated_at, seq_nr)
             VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, false, now(), now(), ?)
             ON CONFLICT (id) DO UPDATE SET reserved = EXCLUDED.reserved, available = EXCLUDED.available,
               starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, seq_nr = EXCLUDED.seq_nr""")) {
      int stock = sale.get("stock").asInt();
      st.setObject(1, UUID.fromString(sale.get("id").asText()));
      st.setObject(2, UUID.fromString(sale.get("product").get("id").asText()));
      st.setBigDecimal(3, new BigDecimal(sale.get("price").asText()));
      st.setInt(4, stock);
      st.setInt(5, stock - reserved);
      st.setInt(6, reserved);
      st.setObject(7, OffsetDateTime.ofInstant(Instant.parse(sale.get("startsAt").asText()), ZoneOffset.UTC));
      st.setObject(8, OffsetDateTime.ofInstant(Instant.parse(sale.get("endsAt").asText()), ZoneOffset.UTC));
      st.setInt(9, sale.get("perUserLimit").asInt());
      st.setInt(10, sale.get("holdSeconds").asInt());
      st.setLong(11, Long.MAX_VALUE);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not arrange the sales row", e);
    }
  }

  private static long eventsInJournal(String dbUrl, JsonNode sale, String eventType) {
    try (Connection c = DriverManager.getConnection(dbUrl, TestDatabase.user(), TestDatabase.password());
         PreparedStatement st = c.prepareStatement(
             "SELECT count(*) FROM event_journal WHERE persistence_id = ? AND event_ser_manifest LIKE ?")) {
      st.setString(1, "Sale|" + sale.get("id").asText());
      st.setString(2, "%" + eventType);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
