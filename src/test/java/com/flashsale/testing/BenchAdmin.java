package com.flashsale.testing;

import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the measuring tools do as the admin and as buyers before a run: sign in, create a product and live sales,
 * mint buyer tokens with the node's secret, and make a sale sold out.
 */
final class BenchAdmin {

  final ApiClient api;
  final String admin;
  private final String secret;
  private final String productId;

  BenchAdmin(String url, String adminPassword, String secret) {
    this.api = new ApiClient(url);
    this.secret = secret;
    this.admin = api.post("/api/auth/login", null, Map.of("email", "admin@flashsale.local", "password", adminPassword))
        .json().get("token").asText();
    this.productId = api.post("/api/admin/products", admin,
        Map.of("name", "Benchmark unit", "description", "", "price", "10.00")).json().get("id").asText();
  }

  /** A sale of {@code units} that is live already. */
  String liveSale(int units) {
    return api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", units,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
  }

  /** A token of a new buyer. */
  String buyer() {
    return new TokenService(secret, Duration.ofHours(1), Clock.systemUTC()).issue(UUID.randomUUID().toString(),
        Role.CUSTOMER);
  }

  /** Tokens of {@code count} new buyers in a temporary file, one per line (for wrk's script). */
  Path mintTokens(int count) throws IOException {
    TokenService issuer = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC());
    List<String> minted = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      minted.add(issuer.issue(UUID.randomUUID().toString(), Role.CUSTOMER));
    }
    return Files.write(Files.createTempFile("bench-tokens", ".txt"), minted);
  }

  /** A sale of one unit, bought and paid for by a buyer outside any token file: sold out, no hold open. */
  String soldOutSale() {
    String saleId = liveSale(1);
    String buyer = buyer();
    String orderId = api.post("/api/sales/" + saleId + "/purchase", buyer, null).json().get("id").asText();
    ApiClient.Response paid = api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_bench"));
    if (paid.status() != 200) {
      throw new IllegalStateException("could not pay the sold-out sale's unit: " + paid);
    }
    return saleId;
  }
}
