package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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
  static final int SIGN_IN_BURST = 5;
  static final int FREE_FAILURES = 2;
  static final int JOIN_IP_BURST = 3;
  static final int JOIN_USER_BURST = 2;
  static final AtomicInteger ADDRESSES = new AtomicInteger();

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("rate_limits", Map.ofEntries(
        Map.entry("flashsale.rate-limits.enabled", "on"),
        Map.entry("flashsale.rate-limits.per-user.per-second", 1),
        Map.entry("flashsale.rate-limits.per-user.burst", USER_BURST),
        Map.entry("flashsale.rate-limits.per-ip.per-second", 1),
        Map.entry("flashsale.rate-limits.per-ip.burst", IP_BURST),
        Map.entry("flashsale.rate-limits.per-ip-sign-in.per-second", 1),
        Map.entry("flashsale.rate-limits.per-ip-sign-in.burst", SIGN_IN_BURST),
        Map.entry("flashsale.rate-limits.login-free-failures", FREE_FAILURES),
        Map.entry("flashsale.rate-limits.per-ip-join.per-second", 1),
        Map.entry("flashsale.rate-limits.per-ip-join.burst", JOIN_IP_BURST),
        Map.entry("flashsale.rate-limits.per-user-join.per-second", 1),
        Map.entry("flashsale.rate-limits.per-user-join.burst", JOIN_USER_BURST)));
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

  private static byte[] json(Object body) {
    return com.flashsale.http.Json.bytes(body);
  }

  private static Response join(String saleId, String token, String clientIp) {
    return app.api.send("POST", "/api/sales/" + saleId + "/queue", token, "application/json",
        "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("X-Real-IP", clientIp));
  }

  @Test
  void joiningAWaitingRoomIsLimitedPerAccountAndPerAddress() {
    // The admin's calls from addresses of their own: this class's tests share 127.0.0.1's bucket.
    String admin = app.api.send("POST", "/api/auth/login", null, "application/json", json(Map.of(
        "email", FlashSaleFixture.ADMIN_EMAIL, "password", FlashSaleFixture.ADMIN_PASSWORD)),
        Map.of("X-Real-IP", newAddress())).json().get("token").asText();
    String product = app.api.send("POST", "/api/admin/products", admin, "application/json", json(Map.of(
        "name", "Sneakers", "description", "Limited", "price", "9.99")), Map.of("X-Real-IP", newAddress()))
        .json().get("id").asText();
    String saleId = app.api.send("POST", "/api/admin/sales", admin, "application/json", json(Map.of(
        "productId", product, "stock", 10, "startsAt", app.now().minusSeconds(1).toString(),
        "endsAt", app.now().plusSeconds(3_600).toString(), "waitingRoom", Map.of("difficulty", 1))),
        Map.of("X-Real-IP", newAddress())).json().get("id").asText();
    String alice = app.newBuyerToken();
    for (int i = 0; i < JOIN_USER_BURST; i++) {
      assertThat(join(saleId, alice, newAddress()).code()).isEqualTo("VALIDATION");
    }
    Response aliceLimited = join(saleId, alice, newAddress());

    String shared = "192.0.2.55";
    for (int i = 0; i < JOIN_IP_BURST; i++) {
      assertThat(join(saleId, app.newBuyerToken(), shared).code()).isEqualTo("VALIDATION");
    }
    Response addressLimited = join(saleId, app.newBuyerToken(), shared);

    assertThat(aliceLimited.code()).as("the account's joins").isEqualTo("RATE_LIMITED");
    assertThat(addressLimited.code()).as("the address's joins").isEqualTo("RATE_LIMITED");
    assertThat(join(saleId, app.newBuyerToken(), newAddress()).code()).as("another buyer elsewhere")
        .isEqualTo("VALIDATION");
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

  /** An address no other request of this class came from. */
  private static String freshAddress() {
    int n = ADDRESSES.incrementAndGet();
    return "10.77." + (n / 250) + "." + (1 + n % 250);
  }

  private static Response signIn(String path, String address, Map<String, String> body) {
    byte[] json = Json.bytes(body);
    return app.api.send("POST", path, null, "application/json", json, Map.of("X-Real-IP", address));
  }

  @Test
  void loginsAndRegistrationsOfAnAddressHaveASmallBucketOfTheirOwn() {
    String address = freshAddress();
    for (int i = 0; i < SIGN_IN_BURST; i++) {
      // Unknown accounts, each once: only the address's sign-in bucket runs down.
      Response wrong = signIn("/api/auth/login", address, Map.of("email", UUID.randomUUID() + "@example.com",
          "password", "not-the-password"));
      assertThat(wrong.status()).isEqualTo(401);
    }

    Response limited = signIn("/api/auth/register", address, Map.of("email", UUID.randomUUID() + "@example.com",
        "password", "password-123", "name", "Ann"));

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("RATE_LIMITED");
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", address)).status())
        .as("the address's other requests").isEqualTo(200);
  }

  @Test
  void wrongPasswordsSlowAnAccountDownFromTheirAddressButNotItsOwnerElsewhere() {
    String email = UUID.randomUUID() + "@example.com";
    Map<String, String> right = Map.of("email", email, "password", "password-123");
    Map<String, String> wrong = Map.of("email", email, "password", "not-the-password");
    assertThat(signIn("/api/auth/register", freshAddress(), Map.of("email", email, "password", "password-123",
        "name", "Ann")).status()).isEqualTo(201);
    String guesser = freshAddress();
    for (int i = 0; i < FREE_FAILURES; i++) {
      assertThat(signIn("/api/auth/login", guesser, wrong).status()).isEqualTo(401);
    }

    Response waiting = signIn("/api/auth/login", guesser, right);

    assertThat(waiting.status()).as("even the right password waits").isEqualTo(429);
    assertThat(waiting.code()).isEqualTo("RATE_LIMITED");
    assertThat(waiting.header("Retry-After")).isEqualTo("1");
    assertThat(signIn("/api/auth/login", freshAddress(), right).status()).as("the owner, elsewhere").isEqualTo(200);
    app.clock.advance(Duration.ofSeconds(1));
    assertThat(signIn("/api/auth/login", guesser, right).status()).isEqualTo(200);
    assertThat(signIn("/api/auth/login", guesser, wrong).status()).as("the success cleared it").isEqualTo(401);
  }

  @Test
  void withoutTheHeaderTheTcpPeerIsTheClientAndOperationsAreNeverLimited() {
    Response last = null;
    // The burst, plus what refills (1 a second) while a slow machine sends it.
    for (int i = 0; i <= 5 * IP_BURST && (last == null || last.status() != 429); i++) {
      last = app.api.get("/api/sales", null);
    }
    assertThat(last.status()).as("127.0.0.1 ran out").isEqualTo(429);

    assertThat(app.api.get("/health/alive", null).status()).isEqualTo(200);
    assertThat(app.api.get("/metrics", null).status()).isEqualTo(200);
    assertThat(app.api.send("GET", "/api/sales", null, null, null, Map.of("X-Real-IP", newAddress())).status())
        .isEqualTo(200);
  }
}
