package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SaleRoutesTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("sale-routes");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- arranging ----

  private static Instant now() {
    return app.now().truncatedTo(ChronoUnit.SECONDS);
  }

  /** A complete, valid create body for a new product, live for a day, with {@code overrides}. */
  private static Map<String, Object> saleBody(Map<String, Object> overrides) {
    Map<String, Object> body = new HashMap<>();
    body.put("productId", app.createProduct().get("id").asText());
    body.put("stock", 10);
    body.put("startsAt", now().minusSeconds(1).toString());
    body.put("endsAt", now().plus(Duration.ofDays(1)).toString());
    body.putAll(overrides);
    return body;
  }

  private static Response createSale(Map<String, Object> body) {
    return app.api.post("/api/admin/sales", app.adminToken(), body);
  }

  private static String upcomingSale() {
    return app.createSaleId(Map.of("startsAt", now().plus(Duration.ofHours(1)).toString(),
        "endsAt", now().plus(Duration.ofHours(2)).toString()));
  }

  /** A live sale that ends a minute from now, for tests that move the clock past its end. */
  private static String saleEndingInAMinute() {
    return app.createSaleId(Map.of("endsAt", now().plus(Duration.ofMinutes(1)).toString()));
  }

  private static void moveClockPastTheEnd() {
    app.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
  }

  private static Response patch(String saleId, Map<String, Object> change) {
    return app.api.patch("/api/admin/sales/" + saleId, app.adminToken(), change);
  }

  private static Response cancel(String saleId) {
    return app.api.post("/api/admin/sales/" + saleId + "/cancel", app.adminToken(), null);
  }

  private static JsonNode stats(String saleId) {
    Response response = app.api.get("/api/admin/sales/" + saleId + "/stats", app.adminToken());
    assertThat(response.status()).as("stats %s", response).isEqualTo(200);
    return response.json();
  }

  private static Response purchase(String saleId, String buyer) {
    return app.api.post("/api/sales/" + saleId + "/purchase", buyer, null);
  }

  private static String reservedOrderId(String saleId, String buyer) {
    Response response = purchase(saleId, buyer);
    assertThat(response.status()).as("purchase %s", response).isEqualTo(201);
    return response.json().get("id").asText();
  }

  private static Response pay(String orderId, String buyer) {
    return app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_visa"));
  }

  /** Lists come from the read model, which trails the entities by well under a second. */
  private static final Duration READ_MODEL = Duration.ofSeconds(5);

  private static List<String> listedIds(String status) {
    Response response = app.api.get("/api/sales?limit=500&status=" + status, null);
    assertThat(response.status()).as("list %s", response).isEqualTo(200);
    return response.json().get("items").findValuesAsText("id");
  }

  // ---- asserting ----

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  private static void assertUnitsAddUp(JsonNode stats) {
    assertThat(stats.get("available").asInt() + stats.get("reserved").asInt() + stats.get("confirmed").asInt())
        .as("available + reserved + confirmed in %s", stats)
        .isEqualTo(stats.get("stock").asInt());
  }

  // ---- create ----

  @Test
  void createsASaleWithTheProductsPriceAndDefaultTerms() {
    JsonNode product = app.createProduct();
    Instant startsAt = now().plus(Duration.ofMinutes(5));
    Instant endsAt = now().plus(Duration.ofHours(3));

    Response response = createSale(Map.of("productId", product.get("id").asText(), "stock", 25,
        "startsAt", startsAt.toString(), "endsAt", endsAt.toString()));

    assertThat(response.status()).isEqualTo(201);
    JsonNode sale = response.json();
    assertThat(sale.fieldNames()).toIterable().containsExactlyInAnyOrder("id", "product", "price", "stock",
        "available", "status", "startsAt", "endsAt", "perUserLimit", "holdSeconds", "waitingRoom");
    assertThat(sale.get("waitingRoom").isNull()).isTrue();
    assertThat(sale.get("product").fieldNames()).toIterable()
        .containsExactlyInAnyOrder("id", "name", "description", "imageUrl");
    assertThat(UUID.fromString(sale.get("id").asText())).isNotNull();
    assertThat(sale.at("/product/id").asText()).isEqualTo(product.get("id").asText());
    assertThat(sale.at("/product/name").asText()).isEqualTo(product.get("name").asText());
    assertThat(sale.at("/product/description").asText()).isEqualTo(product.get("description").asText());
    assertThat(sale.at("/product/imageUrl").asText()).isEqualTo(product.get("imageUrl").asText());
    assertThat(sale.get("price").asText()).isEqualTo(product.get("price").asText());
    assertThat(sale.get("stock").asInt()).isEqualTo(25);
    assertThat(sale.get("available").asInt()).isEqualTo(25);
    assertThat(sale.get("status").asText()).isEqualTo("UPCOMING");
    assertThat(Instant.parse(sale.get("startsAt").asText())).isEqualTo(startsAt);
    assertThat(Instant.parse(sale.get("endsAt").asText())).isEqualTo(endsAt);
    assertThat(sale.get("perUserLimit").asInt()).isEqualTo(1);
    assertThat(sale.get("holdSeconds").asInt()).isEqualTo(300);
  }

  @Test
  void createsASaleWithItsOwnPriceLimitAndHoldTime() {
    Response response = createSale(saleBody(Map.of("price", "19.99", "perUserLimit", 3, "holdSeconds", 60)));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.json().get("price").asText()).isEqualTo("19.99");
    assertThat(response.json().get("perUserLimit").asInt()).isEqualTo(3);
    assertThat(response.json().get("holdSeconds").asInt()).isEqualTo(60);
    assertThat(response.json().get("status").asText()).isEqualTo("LIVE");
  }

  @Test
  void rejectsASaleThatEndsWhenItStarts() {
    String instant = now().plus(Duration.ofHours(1)).toString();

    Response response = createSale(saleBody(Map.of("startsAt", instant, "endsAt", instant)));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).contains("endsAt");
  }

  @Test
  void rejectsASaleThatEndsBeforeItStarts() {
    Response response = createSale(saleBody(Map.of("startsAt", now().plus(Duration.ofHours(2)).toString(),
        "endsAt", now().plus(Duration.ofHours(1)).toString())));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).contains("endsAt");
  }

  @Test
  void rejectsASaleWithoutStock() {
    Response response = createSale(saleBody(Map.of("stock", 0)));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("stock");
  }

  static Stream<Arguments> fieldsOfTheWrongType() {
    return Stream.of(
        Arguments.of("stock", "ten"),
        Arguments.of("stock", 2.5),
        Arguments.of("price", 9.99),
        Arguments.of("startsAt", 1_700_000_000),
        Arguments.of("endsAt", "tomorrow"),
        Arguments.of("perUserLimit", "1"),
        Arguments.of("holdSeconds", true),
        Arguments.of("productId", 42),
        Arguments.of("productId", "not-a-uuid-but-thirty-six-chars-long"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("fieldsOfTheWrongType")
  void rejectsAFieldOfTheWrongTypeAndNamesIt(String field, Object value) {
    Response response = createSale(saleBody(Map.of(field, value)));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly(field);
  }

  @Test
  void rejectsASaleThatHasAlreadyEnded() {
    Response response = createSale(saleBody(Map.of("startsAt", now().minus(Duration.ofHours(2)).toString(),
        "endsAt", now().minus(Duration.ofHours(1)).toString())));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("endsAt");
  }

  @Test
  void rejectsAPerUserLimitAboveTheStock() {
    Response response = createSale(saleBody(Map.of("stock", 2, "perUserLimit", 3)));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("perUserLimit");
  }

  @Test
  void ignoresUnknownFieldsWhenCreating() {
    Response response = createSale(saleBody(Map.of("discount", "50%", "stock", 3)));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.json().has("discount")).isFalse();
    assertThat(response.json().get("stock").asInt()).isEqualTo(3);
  }

  @Test
  void rejectsASaleOfAnUnknownProduct() {
    Response response = createSale(saleBody(Map.of("productId", UUID.randomUUID().toString())));

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void refusesToCreateASaleWithoutAToken() {
    Response response = app.api.post("/api/admin/sales", null, saleBody(Map.of()));

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  @Test
  void refusesToCreateASaleForACustomer() {
    Response response = app.api.post("/api/admin/sales", app.newBuyerToken(), saleBody(Map.of()));

    assertProblem(response, 403, "FORBIDDEN");
  }

  // ---- read ----

  @Test
  void getsASaleByIdWithoutAToken() {
    JsonNode created = app.createSale(Map.of("stock", 7));

    Response response = app.api.get("/api/sales/" + created.get("id").asText(), null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json()).isEqualTo(created);
  }

  @Test
  void answersNotFoundForAnUnknownSale() {
    Response response = app.api.get("/api/sales/" + UUID.randomUUID(), null);

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void rejectsAMalformedSaleId() {
    Response response = app.api.get("/api/sales/not-a-sale", null);

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void listsUpcomingSalesOnly() {
    String upcoming = upcomingSale();
    String live = app.createSaleId(Map.of());

    eventually(READ_MODEL, () -> assertThat(listedIds("upcoming")).contains(upcoming).doesNotContain(live));
  }

  @Test
  void listsLiveSalesOnly() {
    String upcoming = upcomingSale();
    String live = app.createSaleId(Map.of());

    eventually(READ_MODEL, () -> assertThat(listedIds("live")).contains(live).doesNotContain(upcoming));
  }

  @Test
  void listsASoldOutSaleAsLive() {
    String soldOut = app.createSaleId(Map.of("stock", 1));
    reservedOrderId(soldOut, app.newBuyerToken());

    eventually(READ_MODEL, () -> assertThat(listedIds("live")).contains(soldOut));
    assertThat(app.api.get("/api/sales/" + soldOut, null).json().get("status").asText()).isEqualTo("SOLD_OUT");
  }

  @Test
  void listsEndedSalesOnly() {
    String ended = saleEndingInAMinute();
    moveClockPastTheEnd();
    String live = app.createSaleId(Map.of());

    eventually(READ_MODEL, () -> assertThat(listedIds("ended")).contains(ended).doesNotContain(live));
  }

  @Test
  void listsEverySaleWithoutAStatus() {
    String upcoming = upcomingSale();
    String live = app.createSaleId(Map.of());

    eventually(READ_MODEL, () -> {
      Response response = app.api.get("/api/sales?limit=500", null);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.json().get("items").findValuesAsText("id")).contains(upcoming, live);
    });
  }

  @Test
  void rejectsAnUnknownStatusFilter() {
    Response response = app.api.get("/api/sales?status=soon", null);

    assertProblem(response, 400, "VALIDATION");
  }

  // ---- change ----

  @Test
  void movesTheStartOfASaleThatHasNotStarted() {
    String saleId = upcomingSale();
    Instant newStart = now().plus(Duration.ofMinutes(30));

    Response response = patch(saleId, Map.of("startsAt", newStart.toString()));

    assertThat(response.status()).isEqualTo(200);
    assertThat(Instant.parse(response.json().get("startsAt").asText())).isEqualTo(newStart);
    assertThat(response.json().get("status").asText()).isEqualTo("UPCOMING");
  }

  @Test
  void refusesToMoveTheStartOfASaleThatHasStarted() {
    String saleId = app.createSaleId(Map.of());

    Response response = patch(saleId, Map.of("startsAt", now().plus(Duration.ofMinutes(30)).toString()));

    assertProblem(response, 409, "INVALID_TRANSITION");
  }

  @Test
  void movesTheEndOfALiveSale() {
    String saleId = app.createSaleId(Map.of());
    Instant newEnd = now().plus(Duration.ofDays(2));

    Response response = patch(saleId, Map.of("endsAt", newEnd.toString()));

    assertThat(response.status()).isEqualTo(200);
    assertThat(Instant.parse(response.json().get("endsAt").asText())).isEqualTo(newEnd);
    assertThat(Instant.parse(app.api.get("/api/sales/" + saleId, null).json().get("endsAt").asText()))
        .isEqualTo(newEnd);
  }

  @Test
  void addingStockGrowsStockAndAvailable() {
    String saleId = app.createSaleId(Map.of("stock", 10));
    reservedOrderId(saleId, app.newBuyerToken());

    Response response = patch(saleId, Map.of("addStock", 5));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("stock").asInt()).isEqualTo(15);
    assertThat(response.json().get("available").asInt()).isEqualTo(14);
    assertUnitsAddUp(stats(saleId));
  }

  @Test
  void aCreateRetriedWithTheSameIdempotencyKeyCreatesOneSale() {
    Map<String, Object> body = saleBody(Map.of("stock", 7));
    Map<String, String> key = Map.of("Idempotency-Key", "create-" + UUID.randomUUID());

    Response first = withKey("POST", "/api/admin/sales", body, key);
    Response retry = withKey("POST", "/api/admin/sales", body, key);
    Response otherTerms = withKey("POST", "/api/admin/sales", saleBody(Map.of("stock", 8)), key);

    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(201);
    assertThat(retry.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
    assertProblem(otherTerms, 422, "IDEMPOTENCY_MISMATCH");
    Response withoutKey = createSale(body);
    assertThat(withoutKey.json().get("id").asText()).isNotEqualTo(first.json().get("id").asText());
  }

  @Test
  void addingStockRetriedWithTheSameIdempotencyKeyAddsItOnce() {
    String saleId = app.createSaleId(Map.of("stock", 10));
    Map<String, String> key = Map.of("Idempotency-Key", "add-" + UUID.randomUUID());

    Response first = withKey("PATCH", "/api/admin/sales/" + saleId, Map.of("addStock", 5), key);
    Response retry = withKey("PATCH", "/api/admin/sales/" + saleId, Map.of("addStock", 5), key);
    Response otherChange = withKey("PATCH", "/api/admin/sales/" + saleId, Map.of("addStock", 6), key);

    assertThat(first.json().get("stock").asInt()).isEqualTo(15);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().get("stock").asInt()).isEqualTo(15);
    assertProblem(otherChange, 422, "IDEMPOTENCY_MISMATCH");
    assertThat(stats(saleId).get("stock").asInt()).isEqualTo(15);
  }

  @Test
  void rejectsAMalformedIdempotencyKeyOnAdminChanges() {
    String saleId = app.createSaleId(Map.of());

    Response response = withKey("PATCH", "/api/admin/sales/" + saleId, Map.of("addStock", 5),
        Map.of("Idempotency-Key", "has spaces"));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("Idempotency-Key");
  }

  private static Response withKey(String method, String path, Object body, Map<String, String> headers) {
    return app.api.send(method, path, app.adminToken(), "application/json", Json.bytes(body), headers);
  }

  @Test
  void refusesToAddNoStock() {
    String saleId = app.createSaleId(Map.of());

    Response response = patch(saleId, Map.of("addStock", 0));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("addStock");
  }

  @Test
  void refusesToMoveTheEndBeforeTheStart() {
    String saleId = upcomingSale();

    Response response = patch(saleId, Map.of("endsAt", now().plus(Duration.ofMinutes(30)).toString()));

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void refusesToChangeACancelledSale() {
    String saleId = app.createSaleId(Map.of());
    cancel(saleId);

    Response response = patch(saleId, Map.of("addStock", 1));

    assertProblem(response, 409, "INVALID_TRANSITION");
  }

  @Test
  void refusesToChangeAnEndedSale() {
    String saleId = saleEndingInAMinute();
    moveClockPastTheEnd();

    Response response = patch(saleId, Map.of("endsAt", now().plus(Duration.ofHours(1)).toString()));

    assertProblem(response, 409, "INVALID_TRANSITION");
  }

  @Test
  void answersNotFoundWhenChangingAnUnknownSale() {
    Response response = patch(UUID.randomUUID().toString(), Map.of("addStock", 1));

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void refusesToChangeASaleForACustomer() {
    String saleId = app.createSaleId(Map.of());

    Response response = app.api.patch("/api/admin/sales/" + saleId, app.newBuyerToken(), Map.of("addStock", 1));

    assertProblem(response, 403, "FORBIDDEN");
  }

  // ---- cancel ----

  @Test
  void cancelsASale() {
    String saleId = app.createSaleId(Map.of());

    Response response = cancel(saleId);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(app.api.get("/api/sales/" + saleId, null).json().get("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void cancellingASaleCancelsItsOpenHolds() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    cancel(saleId);

    // Released, the order leaves the entity's state: it is read from the read model, once projected.
    eventually(Duration.ofSeconds(10), () -> {
      Response order = app.api.get("/api/orders/" + orderId, buyer);
      assertThat(order.status()).isEqualTo(200);
      assertThat(order.json().get("status").asText()).isEqualTo("CANCELLED");
    });
    assertThat(app.api.get("/api/orders/" + orderId, app.newBuyerToken()).json().get("code").asText())
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void payingAHoldOfACancelledSaleAnswersSaleCancelled() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    cancel(saleId);

    Response response = pay(orderId, buyer);

    assertProblem(response, 410, "SALE_CANCELLED");
  }

  @Test
  void purchasingFromACancelledSaleAnswersSaleCancelled() {
    String saleId = app.createSaleId(Map.of());
    cancel(saleId);

    Response response = purchase(saleId, app.newBuyerToken());

    assertProblem(response, 410, "SALE_CANCELLED");
  }

  @Test
  void cancellingACancelledSaleAgainAnswersTheCancelledSale() {
    String saleId = app.createSaleId(Map.of());
    cancel(saleId);

    Response response = cancel(saleId);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void refusesToCancelAnEndedSale() {
    String saleId = saleEndingInAMinute();
    moveClockPastTheEnd();

    Response response = cancel(saleId);

    assertProblem(response, 409, "INVALID_TRANSITION");
  }

  @Test
  void answersNotFoundWhenCancellingAnUnknownSale() {
    Response response = cancel(UUID.randomUUID().toString());

    assertProblem(response, 404, "NOT_FOUND");
  }

  // ---- stats ----

  @Test
  void statsOfANewSaleOfferEveryUnit() {
    String saleId = app.createSaleId(Map.of("stock", 4));

    JsonNode stats = stats(saleId);

    assertThat(stats.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("stock", "available", "reserved", "confirmed", "released", "waitingRoom");
    assertThat(stats.get("stock").asInt()).isEqualTo(4);
    assertThat(stats.get("available").asInt()).isEqualTo(4);
    assertThat(stats.get("reserved").asInt()).isZero();
    assertThat(stats.get("confirmed").asInt()).isZero();
    assertThat(stats.get("released").asInt()).isZero();
  }

  @Test
  void statsCountHeldAndPaidUnits() {
    String saleId = app.createSaleId(Map.of("stock", 5));
    reservedOrderId(saleId, app.newBuyerToken());
    String payer = app.newBuyerToken();
    pay(reservedOrderId(saleId, payer), payer);

    JsonNode stats = stats(saleId);

    assertThat(stats.get("stock").asInt()).isEqualTo(5);
    assertThat(stats.get("available").asInt()).isEqualTo(3);
    assertThat(stats.get("reserved").asInt()).isEqualTo(1);
    assertThat(stats.get("confirmed").asInt()).isEqualTo(1);
    assertThat(stats.get("released").asInt()).isZero();
    assertUnitsAddUp(stats);
  }

  @Test
  void statsCountACancelledOrderAsReleased() {
    String saleId = app.createSaleId(Map.of("stock", 5));
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    app.api.delete("/api/orders/" + orderId, buyer);

    JsonNode stats = stats(saleId);
    assertThat(stats.get("available").asInt()).isEqualTo(5);
    assertThat(stats.get("reserved").asInt()).isZero();
    assertThat(stats.get("released").asInt()).isEqualTo(1);
    assertUnitsAddUp(stats);
  }

  @Test
  void statsCountAnExpiredHoldAsReleased() {
    String saleId = app.createSaleId(Map.of("stock", 5, "holdSeconds", 10));
    reservedOrderId(saleId, app.newBuyerToken());
    String payer = app.newBuyerToken();
    pay(reservedOrderId(saleId, payer), payer);

    app.clock.advance(Duration.ofSeconds(11));

    eventually(Duration.ofSeconds(5), () -> {
      JsonNode stats = stats(saleId);
      assertThat(stats.get("reserved").asInt()).isZero();
      assertThat(stats.get("released").asInt()).isEqualTo(1);
      assertThat(stats.get("confirmed").asInt()).isEqualTo(1);
      assertThat(stats.get("available").asInt()).isEqualTo(4);
      assertUnitsAddUp(stats);
    });
  }

  @Test
  void statsCountHoldsReleasedByCancellingTheSale() {
    String saleId = app.createSaleId(Map.of("stock", 5));
    reservedOrderId(saleId, app.newBuyerToken());
    reservedOrderId(saleId, app.newBuyerToken());
    String payer = app.newBuyerToken();
    pay(reservedOrderId(saleId, payer), payer);

    cancel(saleId);

    JsonNode stats = stats(saleId);
    assertThat(stats.get("reserved").asInt()).isZero();
    assertThat(stats.get("released").asInt()).isEqualTo(2);
    assertThat(stats.get("confirmed").asInt()).isEqualTo(1);
    assertUnitsAddUp(stats);
  }

  @Test
  void answersNotFoundForTheStatsOfAnUnknownSale() {
    Response response = app.api.get("/api/admin/sales/" + UUID.randomUUID() + "/stats", app.adminToken());

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void refusesStatsWithoutAToken() {
    String saleId = app.createSaleId(Map.of());

    Response response = app.api.get("/api/admin/sales/" + saleId + "/stats", null);

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  // ---- the audit trail ----

  private static Response history(String saleId, String query) {
    return app.api.get("/api/admin/sales/" + saleId + "/history" + query, app.adminToken());
  }

  @Test
  void theHistoryListsEveryEventOfTheSaleInOrderWithWhoAndWhen() {
    String saleId = app.createSaleId(Map.of("stock", 10));
    String ann = UUID.randomUUID().toString();
    String bob = UUID.randomUUID().toString();
    String annOrder = reservedOrderId(saleId, app.buyerToken(ann));
    String bobOrder = reservedOrderId(saleId, app.buyerToken(bob));
    assertThat(pay(annOrder, app.buyerToken(ann)).status()).isEqualTo(200);
    assertThat(app.api.delete("/api/orders/" + bobOrder, app.buyerToken(bob)).status()).isEqualTo(200);
    assertThat(patch(saleId, Map.of("addStock", 5)).status()).isEqualTo(200);

    Response response = history(saleId, "");

    assertThat(response.status()).isEqualTo(200);
    JsonNode items = response.json().get("items");
    List<String> types = new java.util.ArrayList<>();
    items.forEach(entry -> types.add(entry.get("type").asText()));
    assertThat(types).containsSubsequence("SaleCreated", "PaymentStarted", "OrderConfirmed", "OrderCancelled",
        "StockAdded");
    assertThat(types.stream().filter(type -> type.equals("UnitsReserved") || type.equals("HoldsTaken")))
        .isNotEmpty();
    for (int i = 0; i < items.size(); i++) {
      assertThat(items.get(i).get("sequenceNr").asLong()).isEqualTo(i + 1);
      assertThat(items.get(i).get("writtenAt").asText()).isNotBlank();
    }
    assertThat(items.toString()).contains(ann).contains(bob);
    JsonNode created = items.get(0).get("event");
    assertThat(created.get("saleId").asText()).isEqualTo(saleId);
    assertThat(created.get("stock").asInt()).isEqualTo(10);
    String admin = com.auth0.jwt.JWT.decode(app.adminToken()).getSubject();
    assertThat(created.get("admin").asText()).isEqualTo(admin);
    assertThat(eventOf(items, "StockAdded").get("admin").asText()).as("who changed it").isEqualTo(admin);
    assertThat(eventOf(items, "OrderCancelled").path("admin").asText(null)).as("the buyer cancelled").isNull();
    assertThat(response.json().get("next").isNull()).isTrue();
  }

  private static JsonNode eventOf(JsonNode items, String type) {
    for (JsonNode entry : items) {
      if (entry.get("type").asText().equals(type)) {
        return entry.get("event");
      }
    }
    throw new AssertionError("No " + type + " in " + items);
  }

  @Test
  void theHistoryPagesByEventNumber() {
    String saleId = app.createSaleId(Map.of("stock", 10));
    for (int i = 0; i < 3; i++) {
      reservedOrderId(saleId, app.newBuyerToken());
    }

    Response first = history(saleId, "?limit=2");
    String next = first.json().get("next").asText();
    Response rest = history(saleId, "?limit=500&after=" + next);

    assertThat(first.json().get("items")).hasSize(2);
    assertThat(next).isEqualTo("2");
    assertThat(rest.json().get("items").get(0).get("sequenceNr").asLong()).isEqualTo(3);
    assertThat(rest.json().get("next").isNull()).isTrue();
    assertProblem(history(saleId, "?after=-1"), 400, "VALIDATION");
    assertProblem(history(saleId, "?after=x"), 400, "VALIDATION");
    assertProblem(history(saleId, "?after=9999999999999999999"), 400, "VALIDATION");
    assertProblem(history(saleId, "?after=" + Long.MAX_VALUE), 400, "VALIDATION");
    assertThat(history(saleId, "?after=" + (Long.MAX_VALUE - 1)).json().get("items")).isEmpty();
  }

  @Test
  void theHistoryIsForAdminsAndOfExistingSales() {
    String saleId = app.createSaleId(Map.of());

    assertProblem(app.api.get("/api/admin/sales/" + saleId + "/history", app.newBuyerToken()), 403, "FORBIDDEN");
    assertProblem(app.api.get("/api/admin/sales/" + saleId + "/history", null), 401, "UNAUTHORIZED");
    assertProblem(history(UUID.randomUUID().toString(), ""), 404, "NOT_FOUND");
  }
}
