package com.flashsale.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Creates the demo data of a local run through the public API, as an admin would: a product and a
 * sale of it that goes live a minute after start.
 */
final class DemoData {

  record Demo(String productId, String saleId, Instant startsAt) {}

  private final HttpClient http = HttpClient.newHttpClient();
  private final String baseUrl;

  DemoData(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  Demo create(String adminEmail, String adminPassword) throws IOException, InterruptedException {
    String token = call("POST", "/api/auth/login", null, Map.of("email", adminEmail, "password", adminPassword))
        .get("token").asText();
    JsonNode product = call("POST", "/api/admin/products", token, Map.of(
        "name", "FlashSale demo sneakers",
        "description", "Limited run of 100 pairs, one per buyer.",
        "imageUrl", "/img/sneakers.svg",
        "price", "89.99"));
    Instant startsAt = Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    JsonNode sale = call("POST", "/api/admin/sales", token, Map.of(
        "productId", product.get("id").asText(),
        "stock", 100,
        "price", "49.99",
        "startsAt", startsAt.toString(),
        "endsAt", startsAt.plus(1, ChronoUnit.DAYS).toString(),
        "perUserLimit", 1,
        "holdSeconds", 300));
    return new Demo(product.get("id").asText(), sale.get("id").asText(), startsAt);
  }

  private JsonNode call(String method, String path, String token, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return Json.MAPPER.readTree(response.body());
  }
}
