package com.flashsale.order;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OrderRoutesTest {

  static FlashSaleFixture app;
  /** Started by the first test that needs it: see {@link #slowSweep()}. */
  private static FlashSaleFixture slowSweep;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("order-routes");
  }

  @AfterAll
  static void stop() {
    app.close();
    if (slowSweep != null) {
      slowSweep.close();
    }
  }

  // ---- arranging ----

  private static Response purchase(String saleId, String buyer) {
    return app.api.post("/api/sales/" + saleId + "/purchase", buyer, null);
  }

  private static Response purchase(String saleId, String buyer, int quantity) {
    return app.api.post("/api/sales/" + saleId + "/purchase", buyer, Map.of("quantity", quantity));
  }

  private static Response purchaseWithKey(String saleId, String buyer, int quantity, String idempotencyKey) {
    return app.api.send("POST", "/api/sales/" + saleId + "/purchase", buyer, "application/json",
        Json.bytes(Map.of("quantity", quantity)), Map.of("Idempotency-Key", idempotencyKey));
  }

  private static String reservedOrderId(String saleId, String buyer) {
    return idOfNewOrder(purchase(saleId, buyer));
  }

  private static String idOfNewOrder(Response purchase) {
    assertThat(purchase.status()).as("purchase %s", purchase).isEqualTo(201);
    return purchase.json().get("id").asText();
  }

  private static Response pay(String orderId, String buyer, String paymentToken) {
    return app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", paymentToken));
  }

  private static Response pay(String orderId, String buyer) {
    return pay(orderId, buyer, "tok_visa");
  }

  private static Response getOrder(String orderId, String caller) {
    return app.api.get("/api/orders/" + orderId, caller);
  }

  private static Response cancel(String orderId, String caller) {
    return app.api.delete("/api/orders/" + orderId, caller);
  }

  private static int available(String saleId) {
    return app.api.get("/api/admin/sales/" + saleId + "/stats", app.adminToken()).json().get("available").asInt();
  }

  /** Moves the clock past the hold and waits for the entity's sweep to release it. */
  private static void letTheHoldExpire(String orderId, String buyer) {
    app.clock.advance(Duration.ofSeconds(11));
    eventually(Duration.ofSeconds(5),
        () -> assertThat(getOrder(orderId, buyer).json().get("status").asText()).isEqualTo("EXPIRED"));
  }

  private static List<String> ids(Response page) {
    return page.json().get("items").findValuesAsText("id");
  }

  // ---- asserting ----

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  // ---- purchase ----

  @Test
  void reservesUnitsAndAnswersTheNewOrder() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 2));
    String userId = UUID.randomUUID().toString();

    Response response = purchase(saleId, app.buyerToken(userId), 2);

    assertThat(response.status()).isEqualTo(201);
    JsonNode order = response.json();
    assertThat(order.get("id").asText()).isNotBlank();
    assertThat(order.get("saleId").asText()).isEqualTo(saleId);
    assertThat(order.get("userId").asText()).isEqualTo(userId);
    assertThat(order.get("quantity").asInt()).isEqualTo(2);
    assertThat(order.get("unitPrice").asText()).isEqualTo("99.90");
    assertThat(order.get("total").asText()).isEqualTo("199.80");
    assertThat(order.get("status").asText()).isEqualTo("RESERVED");
    assertThat(Instant.parse(order.get("expiresAt").asText())).isEqualTo(app.now().plusSeconds(300));
  }

  @Test
  void anEmptyBodyBuysOneUnit() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 3));

    Response response = purchase(saleId, app.newBuyerToken());

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.json().get("quantity").asInt()).isEqualTo(1);
    assertThat(available(saleId)).isEqualTo(9);
  }

  @Test
  void aBuyerAskingAgainWhileHoldingGetsTheSameOrder() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    Response again = purchase(saleId, buyer);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("id").asText()).isEqualTo(orderId);
    assertThat(available(saleId)).isEqualTo(9);
  }

  @Test
  void replayingAnIdempotencyKeyAnswersTheSameOrder() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 3));
    String buyer = app.newBuyerToken();
    Response first = purchaseWithKey(saleId, buyer, 2, "key-1");

    Response replay = purchaseWithKey(saleId, buyer, 2, "key-1");

    assertThat(first.status()).isEqualTo(201);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json()).isEqualTo(first.json());
  }

  @Test
  void reusingAnIdempotencyKeyForAnotherQuantityIsAMismatch() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 3));
    String buyer = app.newBuyerToken();
    purchaseWithKey(saleId, buyer, 1, "key-2");

    Response response = purchaseWithKey(saleId, buyer, 2, "key-2");

    assertProblem(response, 422, "IDEMPOTENCY_MISMATCH");
  }

  /**
   * A key first answered with the buyer's open hold names that order from then on: replaying it after
   * the hold was paid must not buy again.
   */
  @Test
  void aSecondKeyGetsTheOpenHoldButOnlyTheOrdersOwnKeyNamesItForEver() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String held = idOfNewOrder(purchaseWithKey(saleId, buyer, 1, "first-click"));
    Response secondClick = purchaseWithKey(saleId, buyer, 1, "second-click");
    pay(held, buyer);

    Response replay = purchaseWithKey(saleId, buyer, 1, "first-click");
    Response secondReplay = purchaseWithKey(saleId, buyer, 1, "second-click");

    assertThat(secondClick.status()).as("second click %s", secondClick).isEqualTo(200);
    assertThat(secondClick.json().get("id").asText()).isEqualTo(held);
    assertThat(replay.status()).as("replay %s", replay).isEqualTo(200);
    assertThat(replay.json().get("id").asText()).isEqualTo(held);
    // An order takes one key, so the second click's key named nothing: its replay is a new purchase.
    assertProblem(secondReplay, 409, "LIMIT_REACHED");
  }

  @Test
  void rejectsAPurchaseWhenSoldOut() {
    String saleId = app.createSaleId(Map.of("stock", 1));
    reservedOrderId(saleId, app.newBuyerToken());

    Response response = purchase(saleId, app.newBuyerToken());

    assertProblem(response, 409, "SOLD_OUT");
  }

  @Test
  void rejectsAPurchaseBeyondTheBuyersLimit() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 1));
    String buyer = app.newBuyerToken();
    pay(reservedOrderId(saleId, buyer), buyer);

    Response response = purchase(saleId, buyer);

    assertProblem(response, 409, "LIMIT_REACHED");
  }

  @Test
  void rejectsAPurchaseBeforeTheStartAndSaysWhenItStarts() {
    Instant startsAt = app.now().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(1));
    String saleId = app.createSaleId(Map.of("startsAt", startsAt.toString(),
        "endsAt", startsAt.plus(Duration.ofHours(1)).toString()));

    Response response = purchase(saleId, app.newBuyerToken());

    assertProblem(response, 409, "NOT_STARTED");
    assertThat(response.json().get("detail").asText()).contains(startsAt.toString());
  }

  @Test
  void rejectsAPurchaseAfterTheEnd() {
    String saleId = app.createSaleId(Map.of("endsAt", app.now().plus(Duration.ofMinutes(1)).toString()));
    app.clock.advance(Duration.ofMinutes(1).plusSeconds(1));

    Response response = purchase(saleId, app.newBuyerToken());

    assertProblem(response, 410, "SALE_ENDED");
  }

  @Test
  void rejectsAQuantityOfZero() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 2));

    Response response = purchase(saleId, app.newBuyerToken(), 0);

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void rejectsAQuantityAboveThePerUserLimit() {
    String saleId = app.createSaleId(Map.of("perUserLimit", 2));

    Response response = purchase(saleId, app.newBuyerToken(), 3);

    assertProblem(response, 400, "VALIDATION");
    assertThat(available(saleId)).isEqualTo(10);
  }

  @Test
  void answersNotFoundForAPurchaseOfAnUnknownSale() {
    Response response = purchase(UUID.randomUUID().toString(), app.newBuyerToken());

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void rejectsAPurchaseWithAMalformedSaleId() {
    Response response = purchase("not-a-sale", app.newBuyerToken());

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void refusesAPurchaseWithoutAToken() {
    String saleId = app.createSaleId(Map.of());

    Response response = purchase(saleId, null);

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  @Test
  void payingConfirmsTheOrderWithAPaymentReference() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    Response response = pay(orderId, buyer);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("id").asText()).isEqualTo(orderId);
    assertThat(response.json().get("status").asText()).isEqualTo("CONFIRMED");
    assertThat(response.json().get("paymentRef").asText()).isNotBlank();
  }

  @Test
  void payingAPaidOrderAgainAnswersTheSameOrder() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    Response first = pay(orderId, buyer);

    Response again = pay(orderId, buyer);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json()).isEqualTo(first.json());
  }

  @Test
  void aDeclinedPaymentKeepsTheHold() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    Response response = pay(orderId, buyer, "decline-insufficient-funds");

    assertProblem(response, 402, "PAYMENT_DECLINED");
    assertThat(getOrder(orderId, buyer).json().get("status").asText()).isEqualTo("RESERVED");
  }

  @Test
  void aHoldWhosePaymentWasDeclinedCanStillBePaid() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    pay(orderId, buyer, "decline-card");

    Response response = pay(orderId, buyer);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("status").asText()).isEqualTo("CONFIRMED");
  }

  @Test
  void payingAnExpiredHoldAnswersReservationExpired() {
    String saleId = app.createSaleId(Map.of("holdSeconds", 10));
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    letTheHoldExpire(orderId, buyer);

    Response response = pay(orderId, buyer);

    assertProblem(response, 410, "RESERVATION_EXPIRED");
  }

  @Test
  void payingAHoldTheMomentItsTimeRunsOutAnswersReservationExpired() {
    String saleId = app.createSaleId(Map.of("holdSeconds", 10));
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    app.clock.advance(Duration.ofSeconds(10));

    Response response = pay(orderId, buyer);

    assertProblem(response, 410, "RESERVATION_EXPIRED");
  }

  @Test
  void refusesToPaySomeoneElsesOrder() {
    String saleId = app.createSaleId(Map.of());
    String orderId = reservedOrderId(saleId, app.newBuyerToken());

    Response response = pay(orderId, app.newBuyerToken());

    assertProblem(response, 403, "FORBIDDEN");
  }

  @Test
  void rejectsAPaymentWithoutAPaymentToken() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);

    Response response = app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of());

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("paymentToken");
  }

  @Test
  void answersNotFoundWhenPayingAnUnknownOrder() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    reservedOrderId(saleId, buyer);

    Response response = pay(saleId + "-999", buyer);

    assertProblem(response, 404, "NOT_FOUND");
  }

  // ---- cancel ----

  @Test
  void cancellingAHoldPutsTheUnitBackOnSale() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    int availableWhileHeld = available(saleId);

    Response response = cancel(orderId, buyer);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(available(saleId)).isEqualTo(availableWhileHeld + 1);
  }

  @Test
  void refusesToCancelAPaidOrder() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    pay(orderId, buyer);

    Response response = cancel(orderId, buyer);

    assertProblem(response, 409, "ALREADY_CONFIRMED");
  }

  @Test
  void cancellingAnExpiredHoldAnswersReservationExpired() {
    String saleId = app.createSaleId(Map.of("holdSeconds", 10));
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    letTheHoldExpire(orderId, buyer);

    Response response = cancel(orderId, buyer);

    assertProblem(response, 410, "RESERVATION_EXPIRED");
  }

  /**
   * A node whose sweep runs only when a hold is due (not every 200 ms), so after moving the clock past
   * a hold there is a deterministic moment in which the hold's time ran out but nothing released it.
   */
  private static synchronized FlashSaleFixture slowSweep() {
    if (slowSweep == null) {
      slowSweep = FlashSaleFixture.start("slow-sweep", Map.of("flashsale.sale.expiry-check", "1h"));
    }
    return slowSweep;
  }

  private static String holdThatRanOut(FlashSaleFixture node, String saleId, String buyer) {
    String orderId = idOfNewOrder(node.api.post("/api/sales/" + saleId + "/purchase", buyer, null));
    node.clock.advance(Duration.ofSeconds(10));
    return orderId;
  }

  /** The contract's 410 is about the hold's time, not about when the entity's sweep gets to it. */
  @Test
  void cancellingAHoldWhoseTimeRanOutBeforeTheSweepAnswersReservationExpired() {
    FlashSaleFixture node = slowSweep();
    String saleId = node.createSaleId(Map.of("holdSeconds", 10));
    String buyer = node.newBuyerToken();
    String orderId = holdThatRanOut(node, saleId, buyer);

    Response response = node.api.delete("/api/orders/" + orderId, buyer);

    assertProblem(response, 410, "RESERVATION_EXPIRED");
  }

  /** A hold whose time ran out is no longer "holding": asking again reserves anew instead of answering it. */
  @Test
  void aBuyerWhoseHoldRanOutBeforeTheSweepGetsANewHoldWhenAskingAgain() {
    FlashSaleFixture node = slowSweep();
    String saleId = node.createSaleId(Map.of("holdSeconds", 10, "stock", 1));
    String buyer = node.newBuyerToken();
    String deadHold = holdThatRanOut(node, saleId, buyer);

    Response response = node.api.post("/api/sales/" + saleId + "/purchase", buyer, null);

    assertThat(response.status()).as("purchase %s", response).isEqualTo(201);
    assertThat(response.json().get("id").asText()).isNotEqualTo(deadHold);
  }

  @Test
  void refusesToCancelSomeoneElsesOrder() {
    String saleId = app.createSaleId(Map.of());
    String orderId = reservedOrderId(saleId, app.newBuyerToken());

    Response response = cancel(orderId, app.newBuyerToken());

    assertProblem(response, 403, "FORBIDDEN");
    assertThat(available(saleId)).isEqualTo(9);
  }

  // ---- read ----

  @Test
  void theBuyerReadsTheirOrder() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    Response purchased = purchase(saleId, buyer);

    Response response = getOrder(purchased.json().get("id").asText(), buyer);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json()).isEqualTo(purchased.json());
  }

  @Test
  void refusesToShowSomeoneElsesOrder() {
    String saleId = app.createSaleId(Map.of());
    String orderId = reservedOrderId(saleId, app.newBuyerToken());

    Response response = getOrder(orderId, app.newBuyerToken());

    assertProblem(response, 403, "FORBIDDEN");
  }

  @Test
  void anAdminReadsAnyOrder() {
    String saleId = app.createSaleId(Map.of());
    String orderId = reservedOrderId(saleId, app.newBuyerToken());

    Response response = getOrder(orderId, app.adminToken());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("id").asText()).isEqualTo(orderId);
  }

  @Test
  void answersNotFoundForAnUnknownOrderOfAKnownSale() {
    String saleId = app.createSaleId(Map.of());
    String buyer = app.newBuyerToken();
    reservedOrderId(saleId, buyer);

    Response response = getOrder(saleId + "-999", buyer);

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void answersNotFoundForAnOrderOfAnUnknownSale() {
    Response response = getOrder(UUID.randomUUID() + "-1", app.newBuyerToken());

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void rejectsAMalformedOrderId() {
    Response response = getOrder("not-an-order", app.newBuyerToken());

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void rejectsAMalformedOrderIdWhenPaying() {
    Response response = pay(UUID.randomUUID() + "-0", app.newBuyerToken());

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void rejectsAMalformedOrderIdWhenCancelling() {
    Response response = cancel("12345", app.newBuyerToken());

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void refusesToShowOrdersWithoutAToken() {
    Response response = app.api.get("/api/orders", null);

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  /** "My orders" come from the read model, which trails the entities by well under a second. */
  private static final Duration READ_MODEL = Duration.ofSeconds(5);

  @Test
  void listsOnlyMyOrdersNewestFirst() {
    String buyer = app.newBuyerToken();
    String oldest = reservedOrderId(app.createSaleId(Map.of()), buyer);
    app.clock.advance(Duration.ofSeconds(1));
    String middle = reservedOrderId(app.createSaleId(Map.of()), buyer);
    app.clock.advance(Duration.ofSeconds(1));
    String newest = reservedOrderId(app.createSaleId(Map.of()), buyer);
    reservedOrderId(app.createSaleId(Map.of()), app.newBuyerToken());

    eventually(READ_MODEL, () -> {
      Response response = app.api.get("/api/orders", buyer);
      assertThat(response.status()).isEqualTo(200);
      assertThat(ids(response)).containsExactly(newest, middle, oldest);
      assertThat(response.json().get("next").isNull()).isTrue();
    });
  }

  @Test
  void pagesThroughMyOrdersWithLimitAndAfter() {
    String buyer = app.newBuyerToken();
    String oldest = reservedOrderId(app.createSaleId(Map.of()), buyer);
    app.clock.advance(Duration.ofSeconds(1));
    String middle = reservedOrderId(app.createSaleId(Map.of()), buyer);
    app.clock.advance(Duration.ofSeconds(1));
    String newest = reservedOrderId(app.createSaleId(Map.of()), buyer);

    eventually(READ_MODEL, () -> assertThat(ids(app.api.get("/api/orders", buyer))).hasSize(3));
    Response first = app.api.get("/api/orders?limit=2", buyer);
    String next = first.json().get("next").asText();
    Response last = app.api.get("/api/orders?limit=2&after=" + next, buyer);

    assertThat(ids(first)).containsExactly(newest, middle);
    assertThat(last.status()).isEqualTo(200);
    assertThat(ids(last)).containsExactly(oldest);
    assertThat(last.json().get("next").isNull()).isTrue();
  }

  @Test
  void anotherBuyersOrderIsNoCursor() {
    String buyer = app.newBuyerToken();
    String mine = reservedOrderId(app.createSaleId(Map.of()), buyer);
    String other = app.newBuyerToken();
    String theirs = reservedOrderId(app.createSaleId(Map.of()), other);
    eventually(READ_MODEL, () -> {
      assertThat(ids(app.api.get("/api/orders", buyer))).containsExactly(mine);
      assertThat(ids(app.api.get("/api/orders", other))).containsExactly(theirs);
    });

    assertProblem(app.api.get("/api/orders?after=" + theirs, buyer), 400, "VALIDATION");
    assertThat(app.api.get("/api/orders?after=" + mine, buyer).status()).isEqualTo(200);
  }

  @Test
  void rejectsALimitOutsideOneTo500() {
    Response response = app.api.get("/api/orders?limit=501", app.newBuyerToken());

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void aBuyerWithoutOrdersGetsAnEmptyLastPage() {
    Response response = app.api.get("/api/orders", app.newBuyerToken());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("items")).isEmpty();
    assertThat(response.json().get("next").isNull()).isTrue();
  }
}
