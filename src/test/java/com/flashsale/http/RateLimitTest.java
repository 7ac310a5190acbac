package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-user and per-IP token buckets on a running node: over the rate, 429 RATE_LIMITED problem+json
 * with {@code Retry-After}; other users and addresses are unaffected; operations routes are never
 * limited. Refill is slow (1 per minute) so that no token comes back while a test runs.
 */
class RateLimitTest {

  static final int USER_BURST = 3;
  static final int IP_BURST = 20;

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("rate_limits", Map.of(
        "flashsale.rate-limits.enabled", "on",
        "flashsale.rate-limits.per-user.per-second", 1, "flashsale.rate-limits.per-user.burst", USER_BURST,
        "flashsale.rate-limits.per-ip.per-second", 1, "flashsale.rate-limits.per-ip.burst", IP_BURST));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Response myOrders(String token, String clientIp) {
    return app.api.send("GET", "/api/orders", token, null, null, Map.of("X-Real-IP", clientIp));
  }

  private static String newAddress() {
    return "198.51.100." + (1 + Math.floorMod(UUID.randomUUID().hashCode(), 250));
  }

  @Test
  void aUserOverTheirRateGets429WithRetryAfterAndOthersDoNot() {
    String alice = app.newBuyerToken();
    for (int i = 0; i < USER_BURST; i++) {
      // A fresh address each time, so that only the user's bucket can run out.
      assertThat(myOrders(alice, "203.0.113." + (10 + i)).status()).isEqualTo(200);
    }

    Response limited = myOrders(alice, "203.0.113.99");

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.contentType()).startsWith("application/problem+json");
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(myOrders(app.newBuyerToken(), "203.0.113.98").status()).isEqualTo(200);
  }

  @Test
  void anAddressOverItsRateGets429AndOtherAddressesDoNot() {
    String address = "192.0.2.77";
    for (int i = 0; i < IP_BURST; i++) {
      assertThat(app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", address)).status())
          .isEqualTo(200);
    }

    Response limited = app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", address));

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", "192.0.2.78")).status())
        .isEqualTo(200);
  }

  @Test
  void withoutTheHeaderTheTcpPeerIsTheClientAndOperationsAreNeverLimited() {
    Response last = null;
    for (int i = 0; i <= IP_BURST && (last == null || last.status() != 429); i++) {
      last = app.api.get("/api/sales", null);
    }
    assertThat(last.status()).as("127.0.0.1 ran out").isEqualTo(429);

    assertThat(app.api.get("/health/alive", null).status()).isEqualTo(200);
    assertThat(app.api.get("/metrics", null).status()).isEqualTo(200);
    assertThat(app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", newAddress())).status())
        .isEqualTo(200);
  }
}
