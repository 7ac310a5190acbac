package com.flashsale.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.Storm;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Backpressure on the purchase route: over the node's bound on purchases in flight, and when a sale
 * entity does not answer within the ask timeout, the buyer gets 503 OVERLOADED with Retry-After (never
 * a 500), and what was acknowledged is exactly what the entity holds.
 */
class PurchaseBackpressureTest {

  @Test
  void purchasesOverTheInFlightBoundAre503WithRetryAfterAndNothingElseChanges() {
    try (FlashSaleFixture app = FlashSaleFixture.start("in_flight", Map.of("flashsale.max-in-flight-purchases", 1))) {
      String saleId = app.createSaleId(Map.of("stock", 1_000));
      Map<String, String> buyerByToken = new HashMap<>();
      IntStream.range(0, 400).forEach(i -> buyerByToken.put(app.buyerToken("buyer-" + i), "buyer-" + i));

      Storm.Result storm = Storm.run(List.of(app.api), saleId, List.copyOf(buyerByToken.keySet()),
          buyerByToken::get, 400, 32);

      assertThat(storm.count(503)).as(storm.summary()).isPositive();
      assertThat(storm.count(201) + storm.count(503)).as(storm.summary()).isEqualTo(400);
      assertThat(storm.attempts().stream().filter(a -> a.status() == 503).map(Storm.Attempt::code))
          .containsOnly("OVERLOADED");
      int reserved = app.api.get("/api/admin/sales/" + saleId + "/stats", app.adminToken()).json().get("reserved").asInt();
      assertThat(reserved).isEqualTo(storm.count(201));
    }
  }

  @Test
  void anEntityThatDoesNotAnswerInTimeGives503WithRetryAfter() {
    String saleId;
    String dbUrl;
    try (FlashSaleFixture arranging = FlashSaleFixture.start("ask_timeout")) {
      saleId = arranging.createSaleId(Map.of("endsAt", arranging.now().plusSeconds(60).toString()));
      dbUrl = arranging.dbUrl;
    }
    // An hour after the sale ended nothing wakes it, so its entity is not running: starting and recovering, it
    // cannot answer within a millisecond (a sale id nobody created would be answered 404 without an entity).
    try (FlashSaleFixture app = FlashSaleFixture.startOn(dbUrl, Instant.now().plus(Duration.ofHours(1)),
        Map.of("flashsale.ask-timeout", "1ms"))) {

      Response response = app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);

      assertThat(response.status()).isEqualTo(503);
      assertThat(response.code()).isEqualTo("OVERLOADED");
      assertThat(response.contentType()).startsWith("application/problem+json");
      assertThat(response.header("Retry-After")).isEqualTo("1");
    }
  }
}
