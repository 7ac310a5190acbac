package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.SseClients;
import com.flashsale.testing.Storm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/sales/{id}/events}: a sale's availability as server-sent events from the node's live view. */
class SaleEventStreamTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("sale-events", Map.of(
        "flashsale.live-view.refresh-interval", "500ms",
        "flashsale.live-view.wake-interval", "200ms",
        "flashsale.live-view.sse.heartbeat", "500ms"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static String data(int available, String status) {
    return "{\"available\":" + available + ",\"status\":\"" + status + "\"}";
  }

  private static SseClients clientsOf(String saleId) {
    return SseClients.of(app.node.httpPort(), "/api/sales/" + saleId + "/events", true);
  }

  private static SseClients.Stream connectOne(SseClients clients) {
    SseClients.Stream stream = clients.connect(1).get(0);
    eventually(Duration.ofSeconds(5), () -> assertThat(stream.eventCount()).isPositive());
    return stream;
  }

  /** Waits until the node's view serves the sale from its subscription (so every change reaches streams). */
  private static void awaitFollowed(String saleId) {
    eventually(Duration.ofSeconds(10), () -> assertThat(app.node.liveSales().latest(UUID.fromString(saleId))).isPresent());
  }

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  @Test
  void sendsTheCurrentStateAtOnceOnConnect() {
    String saleId = app.createSaleId(Map.of("stock", 5));
    app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);

    try (SseClients clients = clientsOf(saleId)) {
      SseClients.Stream stream = connectOne(clients);

      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.contentType()).startsWith("text/event-stream");
      SseClients.Event first = stream.events().get(0);
      assertThat(first.name()).isEqualTo("sale");
      assertThat(first.data()).isEqualTo(data(4, "LIVE"));
    }
  }

  @Test
  void sendsEachChange() {
    String saleId = app.createSaleId(Map.of("stock", 2));
    awaitFollowed(saleId);

    try (SseClients clients = clientsOf(saleId)) {
      SseClients.Stream stream = connectOne(clients);
      app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);
      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(1, "LIVE")));
      app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);
      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(0, "SOLD_OUT")));
      app.api.post("/api/admin/sales/" + saleId + "/cancel", app.adminToken(), null);
      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(2, "CANCELLED")));

      assertThat(stream.events()).extracting(SseClients.Event::data)
          .containsExactly(data(2, "LIVE"), data(1, "LIVE"), data(0, "SOLD_OUT"), data(2, "CANCELLED"));
    }
  }

  @Test
  void coalescesABurstOfReservationsToAtMostTenEventsPerSecond() {
    int stock = 200;
    String saleId = app.createSaleId(Map.of("stock", stock));
    awaitFollowed(saleId);
    List<String> buyers = new ArrayList<>();
    for (int i = 0; i < stock; i++) {
      buyers.add(app.newBuyerToken());
    }

    try (SseClients clients = clientsOf(saleId)) {
      SseClients.Stream stream = connectOne(clients);
      Storm.Result burst = Storm.run(List.of(app.api), saleId, buyers, Function.identity(), stock, 32);
      eventually(Duration.ofSeconds(10), () -> assertThat(stream.lastData()).isEqualTo(data(0, "SOLD_OUT")));

      List<SseClients.Event> events = stream.events();
      System.out.printf("Burst: %s%nStream: %d events for %d reservations%n", burst.summary(), events.size(),
          burst.count(201));
      assertThat(burst.count(201)).isEqualTo(stock);
      assertThat(events.size()).isLessThan(stock / 4);
      for (SseClients.Event from : events) {
        long inOneSecond = events.stream()
            .filter(e -> e.nanos() >= from.nanos() && e.nanos() < from.nanos() + 1_000_000_000L).count();
        assertThat(inOneSecond).as("events within a second from one of them").isLessThanOrEqualTo(11);
      }
    }
  }

  @Test
  void sendsAHeartbeatCommentWhileNothingChanges() {
    String saleId = app.createSaleId(Map.of());

    try (SseClients clients = clientsOf(saleId)) {
      SseClients.Stream stream = connectOne(clients);

      eventually(Duration.ofSeconds(5), () -> assertThat(stream.heartbeats()).isGreaterThanOrEqualTo(2));
      assertThat(stream.eventCount()).isEqualTo(1);
    }
  }

  @Test
  void showsAStatusThatChangesWithTimeAlone() {
    String saleId = app.createSaleId(Map.of("endsAt", app.now().plus(Duration.ofMinutes(1)).toString()));
    awaitFollowed(saleId);

    try (SseClients clients = clientsOf(saleId)) {
      SseClients.Stream stream = connectOne(clients);
      app.clock.advance(Duration.ofMinutes(1).plusSeconds(1));

      eventually(Duration.ofSeconds(5), () -> assertThat(stream.lastData()).isEqualTo(data(10, "ENDED")));
    }
  }

  @Test
  void answersNotFoundForAnUnknownSale() {
    assertProblem(app.api.get("/api/sales/" + UUID.randomUUID() + "/events", null), 404, "NOT_FOUND");
  }

  @Test
  void rejectsAMalformedSaleId() {
    assertProblem(app.api.get("/api/sales/not-a-sale/events", null), 400, "VALIDATION");
  }
}
