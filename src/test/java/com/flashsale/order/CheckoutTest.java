package com.flashsale.order;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.PaymentLedger;
import com.flashsale.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 9 through HTTP, with the shipped gateway simulator and its ledger on PostgreSQL: whatever
 * fails between the charge and its confirmation, every payment ends with one captured charge and a CONFIRMED
 * order, or with every charge given back, as the order (its {@code paymentStatus}) and the ledger both show.
 * The simulator is told how to fail by the card token ({@code slow-N}, {@code lose-answer},
 * {@code refund-fails-N}). Here a gateway call counts as unanswered after 4 s, an attempt in doubt is
 * settled by its sale 5 s (on the sale's clock, which the tests move) after it began, the payment grace is
 * 100 ms and asks time out after 1 s.
 */
class CheckoutTest {

  static FlashSaleFixture app;
  static PaymentLedger ledger;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("checkout", Map.of(
        "flashsale.payment.call-timeout", "4s",
        "flashsale.sale.settle-after", "5s",
        "flashsale.sale.payment-grace", "100ms",
        "flashsale.ask-timeout", "1s"));
    ledger = new PaymentLedger(app.dbUrl);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private record Bought(String saleId, String orderId, String buyer) {}

  private static Bought aHold(int holdSeconds) {
    String saleId = app.createSaleId(Map.of("stock", 1, "holdSeconds", holdSeconds));
    String buyer = app.newBuyerToken();
    String orderId = app.api.post("/api/sales/" + saleId + "/purchase", buyer, null).json().get("id").asText();
    return new Bought(saleId, orderId, buyer);
  }

  private static CompletableFuture<Response> payAsync(Bought b, String token) {
    return app.api.sendAsync("POST", "/api/orders/" + b.orderId() + "/pay", b.buyer(), "application/json",
        ("{\"paymentToken\":\"" + token + "\"}").getBytes(), Map.of());
  }

  private static Response pay(Bought b, String token) {
    return payAsync(b, token).join();
  }

  private static JsonNode order(Bought b) {
    return app.api.get("/api/orders/" + b.orderId(), b.buyer()).json();
  }

  private static JsonNode stats(Bought b) {
    return app.api.get("/api/admin/sales/" + b.saleId() + "/stats", app.adminToken()).json();
  }

  /** The order's charges at the gateway: {@code status paymentRef} per key. */
  private static List<String> charges(Bought b) {
    return ledger.of(b.orderId()).stream().map(e -> e.status() + " " + e.paymentRef()).toList();
  }

  @Test
  void confirmsAChargeWhileTheHoldIsThere() {
    Bought b = aHold(60);

    Response answer = pay(b, "tok_ok");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asText()).isEqualTo("CONFIRMED");
    assertThat(answer.json().get("paymentStatus").asText()).isEqualTo("CAPTURED");
    String ref = answer.json().get("paymentRef").asText();
    assertThat(charges(b)).containsExactly("CAPTURED " + ref);
  }

  @Test
  void declinesAndKeepsTheHold() {
    Bought b = aHold(60);

    Response answer = pay(b, "decline_insufficient_funds");

    assertThat(answer.status()).isEqualTo(402);
    assertThat(answer.code()).isEqualTo("PAYMENT_DECLINED");
    assertThat(order(b).get("paymentStatus").asText()).isEqualTo("DECLINED");
    assertThat(pay(b, "tok_ok").json().get("status").asText()).isEqualTo("CONFIRMED");
    assertThat(charges(b)).hasSize(2).first().asString().startsWith("DECLINED");
  }

  @Test
  void givesBackAChargeThatCameWhenTheHoldWasGoneAndNeverConfirmsIt() {
    Bought b = aHold(10);
    CompletableFuture<Response> payment = payAsync(b, "tok_slow-2000");
    eventually(Duration.ofSeconds(5), () -> assertThat(charges(b)).hasSize(1));

    app.clock.advance(Duration.ofSeconds(11)); // the hold (and the grace) ran out while the gateway was answering
    Response answer = payment.join();

    assertThat(answer.status()).isEqualTo(410);
    assertThat(answer.code()).isEqualTo("RESERVATION_EXPIRED");
    eventually(Duration.ofSeconds(10), () -> assertThat(order(b).get("paymentStatus").asText()).isEqualTo("REFUNDED"));
    assertThat(order(b).get("status").asText()).isEqualTo("EXPIRED");
    assertThat(charges(b)).singleElement().asString().startsWith("REFUNDED sim-");
    assertThat(stats(b).get("confirmed").asInt()).isZero();
    assertThat(stats(b).get("available").asInt()).isEqualTo(1);
  }

  @Test
  void triesARefundThatFailedOnceAgain() {
    Bought b = aHold(10);
    CompletableFuture<Response> payment = payAsync(b, "tok_slow-2000_refund-fails-1");
    eventually(Duration.ofSeconds(5), () -> assertThat(charges(b)).hasSize(1));

    app.clock.advance(Duration.ofSeconds(11));

    assertThat(payment.join().code()).isEqualTo("RESERVATION_EXPIRED");
    eventually(Duration.ofSeconds(15), () -> assertThat(order(b).get("paymentStatus").asText()).isEqualTo("REFUNDED"));
    assertThat(charges(b)).singleElement().asString().startsWith("REFUNDED sim-");
  }

  @Test
  void aLostGatewayAnswerIsSettledByTheSaleAndPayingAgainAnswersTheConfirmedOrder() {
    Bought b = aHold(600);

    Response lost = pay(b, "tok_lose-answer");

    assertThat(lost.status()).isEqualTo(503);
    assertThat(lost.header("Retry-After")).isNotNull();
    assertThat(order(b).get("paymentStatus").asText()).isEqualTo("PENDING");
    app.clock.advance(Duration.ofSeconds(5));
    eventually(Duration.ofSeconds(10), () -> assertThat(order(b).get("status").asText()).isEqualTo("CONFIRMED"));
    Response again = pay(b, "tok_another_card");
    assertThat(again.status()).isEqualTo(200);
    assertThat(charges(b)).containsExactly("CAPTURED " + again.json().get("paymentRef").asText());
  }

  @Test
  void aSecondPayAfterTheGraceWaitsForTheFirstAndChargesNothingMore() {
    Bought b = aHold(600);
    CompletableFuture<Response> first = payAsync(b, "tok_slow-3000");
    eventually(Duration.ofSeconds(5), () -> assertThat(charges(b)).hasSize(1));

    Response second = pay(b, "tok_second_card"); // the grace (100 ms) is long over

    assertThat(second.status()).isEqualTo(503);
    Response firstAnswer = first.join();
    assertThat(firstAnswer.status()).isEqualTo(200);
    Response secondAgain = pay(b, "tok_second_card");
    assertThat(secondAgain.status()).isEqualTo(200);
    assertThat(secondAgain.json().get("paymentRef").asText()).isEqualTo(firstAnswer.json().get("paymentRef").asText());
    assertThat(charges(b)).containsExactly("CAPTURED " + firstAnswer.json().get("paymentRef").asText());
  }

  @Test
  void fourConfirmationsTimingOutLeaveTheChargeToBeRecordedAndNeverChargeAgain() throws Exception {
    Bought b = aHold(600);
    CompletableFuture<Response> payment = payAsync(b, "tok_slow-1000");
    eventually(Duration.ofSeconds(5), () -> assertThat(charges(b)).hasSize(1));

    Response answer;
    // The journal takes no write while the confirmations are asked (each times out after 1 s).
    try (Connection c = DriverManager.getConnection(app.dbUrl, TestDatabase.user(), TestDatabase.password());
         Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("LOCK TABLE event_journal IN SHARE MODE");
      answer = payment.join();
      c.rollback();
    }

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().get("detail").asText()).contains("approved");
    app.clock.advance(Duration.ofSeconds(5));
    eventually(Duration.ofSeconds(15), () -> assertThat(order(b).get("status").asText()).isEqualTo("CONFIRMED"));
    Response again = pay(b, "tok_ok");
    assertThat(again.status()).isEqualTo(200);
    assertThat(charges(b)).containsExactly("CAPTURED " + again.json().get("paymentRef").asText());
    assertThat(stats(b).get("confirmed").asInt()).isEqualTo(1);
  }
}
