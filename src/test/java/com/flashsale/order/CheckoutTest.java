package com.flashsale.order;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.payment.SimulatedPaymentGateway;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md rule 9 through HTTP: the gateway is slow (2 s) and the payment grace short (100 ms), so a
 * hold can run out while its payment is at the gateway. Then the approval must be refunded and the
 * unit must not be confirmed.
 */
class CheckoutTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("checkout", Map.of(
        "flashsale.payment.simulator-delay", "2s",
        "flashsale.sale.payment-grace", "100ms"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static SimulatedPaymentGateway gateway() {
    return (SimulatedPaymentGateway) app.node.gateway();
  }

  @Test
  void refundsAnApprovedPaymentWhoseHoldExpiredMeanwhileAndNeverConfirmsIt() {
    String saleId = app.createSaleId(Map.of("stock", 1, "holdSeconds", 10));
    String buyer = app.newBuyerToken();
    String orderId = app.api.post("/api/sales/" + saleId + "/purchase", buyer, null).json().get("id").asText();

    CompletableFuture<Response> payment = app.api.sendAsync("POST", "/api/orders/" + orderId + "/pay", buyer,
        "application/json", "{\"paymentToken\":\"tok_ok\"}".getBytes(), Map.of());
    eventually(Duration.ofSeconds(5), () -> assertThat(gateway().charges()).contains(orderId));
    assertThat(app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_again")).code())
        .isEqualTo("OVERLOADED"); // the first payment is at the gateway
    app.clock.advance(Duration.ofSeconds(11));
    eventually(Duration.ofSeconds(5), () -> assertThat(
        app.api.get("/api/orders/" + orderId, buyer).json().get("status").asText()).isEqualTo("EXPIRED"));
    Response answer = payment.join();

    assertThat(answer.status()).isEqualTo(410);
    assertThat(answer.code()).isEqualTo("RESERVATION_EXPIRED");
    assertThat(gateway().refunds()).hasSize(1);
    Response stats = app.api.get("/api/admin/sales/" + saleId + "/stats", app.adminToken());
    assertThat(stats.json().get("confirmed").asInt()).isZero();
    assertThat(stats.json().get("available").asInt()).isEqualTo(1);
  }

  @Test
  void confirmsAnApprovedPaymentWhileTheHoldIsThereWithoutRefund() {
    String saleId = app.createSaleId(Map.of("stock", 1, "holdSeconds", 10));
    String buyer = app.newBuyerToken();
    String orderId = app.api.post("/api/sales/" + saleId + "/purchase", buyer, null).json().get("id").asText();
    int refundsBefore = gateway().refunds().size();

    Response answer = app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_ok"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asText()).isEqualTo("CONFIRMED");
    assertThat(answer.json().get("paymentRef").asText()).startsWith("sim-");
    assertThat(gateway().refunds()).hasSize(refundsBefore);
  }
}
