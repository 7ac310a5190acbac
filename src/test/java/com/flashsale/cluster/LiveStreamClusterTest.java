package com.flashsale.cluster;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.SseClients;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SSE streams come from each node's live view, not from the entity: a stream on one node follows changes
 * made through the other node, and keeps going, uninterrupted, when the sale's entity moves to its node
 * because the node that hosted it left the cluster. The streams of the node that left end with it.
 */
class LiveStreamClusterTest {

  private static final Map<String, Object> SETTINGS = Map.of(
      "flashsale.live-view.refresh-interval", "500ms",
      "flashsale.live-view.wake-interval", "200ms");

  private final List<FlashSaleNode.Running> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(FlashSaleNode.Running::stop);
  }

  private static String data(int available, String status) {
    return "{\"available\":" + available + ",\"status\":\"" + status + "\"}";
  }

  @Test
  void aStreamOnOneNodeKeepsFollowingTheSaleWhileItsEntityMovesToThatNode() {
    String dbUrl = TestDatabase.fresh("live_stream_cluster");
    int firstPort = TestNodes.freePort();
    FlashSaleNode.Running first = FlashSaleNode.start(TestNodes.config(dbUrl, firstPort, List.of(firstPort), SETTINGS),
        Clock.systemUTC());
    nodes.add(first);
    ApiClient firstApi = ApiClient.forPort(first.httpPort());
    String admin = firstApi.post("/api/auth/login", null,
        Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).json().get("token").asText();
    String productId = firstApi.post("/api/admin/products", admin,
        Map.of("name", "Console", "description", "", "price", "499.00")).json().get("id").asText();
    // created while the first node is alone, so the sale's entity lives there
    String saleId = firstApi.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", 10,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();

    int secondPort = TestNodes.freePort();
    FlashSaleNode.Running second = FlashSaleNode.start(
        TestNodes.config(dbUrl, secondPort, List.of(firstPort), SETTINGS), Clock.systemUTC());
    nodes.add(second);
    eventually(Duration.ofSeconds(30), () -> assertThat(StreamSupport.stream(
        Cluster.get(second.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up()).count()).isEqualTo(2));
    ApiClient secondApi = ApiClient.forPort(second.httpPort());
    eventually(Duration.ofSeconds(15), () ->
        assertThat(second.liveSales().latest(UUID.fromString(saleId))).isPresent());

    try (SseClients clients = SseClients.of(second.httpPort(), "/api/sales/" + saleId + "/events", true);
         SseClients onFirst = SseClients.of(first.httpPort(), "/api/sales/" + saleId + "/events", true)) {
      SseClients.Stream stream = clients.connect(1).get(0);
      SseClients.Stream leaving = onFirst.connect(1).get(0);
      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(10, "LIVE")));
      eventually(Duration.ofSeconds(5), () -> assertThat(leaving.lastData()).isEqualTo(data(10, "LIVE")));

      firstApi.post("/api/sales/" + saleId + "/purchase", first.tokens().issue("alice", Role.CUSTOMER), null);
      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(9, "LIVE")));

      first.stop();
      nodes.remove(first);
      assertThat(leaving.ended()).as("a stream of the node that left ended (its client reconnects elsewhere)").isTrue();
      eventually(Duration.ofSeconds(30), () -> assertThat(secondApi.post("/api/sales/" + saleId + "/purchase",
          second.tokens().issue("bob", Role.CUSTOMER), null).status()).isIn(200, 201));

      eventually(Duration.ofSeconds(10), () -> assertThat(stream.lastData()).isEqualTo(data(8, "LIVE")));
      assertThat(stream.ended()).isFalse();
      assertThat(stream.events()).extracting(SseClients.Event::data)
          .containsExactly(data(10, "LIVE"), data(9, "LIVE"), data(8, "LIVE"));
    }
  }
}
