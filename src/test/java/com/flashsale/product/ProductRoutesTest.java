package com.flashsale.product;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
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

class ProductRoutesTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("products");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Map<String, Object> product(String name, Object price) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("description", "A " + name);
    body.put("imageUrl", "https://img.example/" + name + ".png");
    body.put("price", price);
    return body;
  }

  private static Response create(Map<String, Object> body) {
    return app.api.post("/api/admin/products", app.adminToken(), body);
  }

  private static String createdId(String name) {
    return create(product(name, "10.00")).json().get("id").asText();
  }

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  @Test
  void createsAProductAndAnswersItWithItsNewId() {
    Response response = create(product("Lamp", "49.50"));

    assertThat(response.status()).isEqualTo(201);
    JsonNode created = response.json();
    assertThat(UUID.fromString(created.get("id").asText())).isNotNull();
    assertThat(created.get("name").asText()).isEqualTo("Lamp");
    assertThat(created.get("description").asText()).isEqualTo("A Lamp");
    assertThat(created.get("imageUrl").asText()).isEqualTo("https://img.example/Lamp.png");
    assertThat(created.get("price").asText()).isEqualTo("49.50");
  }

  @Test
  void createsAProductWithoutAnImage() {
    Response response = create(Map.of("name", "Mug", "description", "", "price", "5"));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.json().get("imageUrl").isNull()).isTrue();
    assertThat(response.json().get("price").asText()).isEqualTo("5.00");
  }

  @Test
  void getsAProductByIdWithoutAToken() {
    String id = createdId("Chair");

    Response response = app.api.get("/api/products/" + id, null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("id").asText()).isEqualTo(id);
    assertThat(response.json().get("name").asText()).isEqualTo("Chair");
    assertThat(response.json().get("price").asText()).isEqualTo("10.00");
  }

  @Test
  void listsProductsWithoutAToken() {
    String first = createdId("Table");
    String second = createdId("Shelf");

    Response response = app.api.get("/api/products", null);

    assertThat(response.status()).isEqualTo(200);
    List<String> ids = response.json().get("items").findValuesAsText("id");
    assertThat(ids).contains(first, second);
  }

  @Test
  void updatesAProductAndTheChangeIsReadBack() {
    String id = createdId("Desk");

    Response updated = app.api.put("/api/admin/products/" + id, app.adminToken(),
        Map.of("name", "Standing desk", "description", "Taller", "price", "250.00"));
    Response read = app.api.get("/api/products/" + id, null);

    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.json().get("id").asText()).isEqualTo(id);
    assertThat(updated.json().get("name").asText()).isEqualTo("Standing desk");
    assertThat(updated.json().get("imageUrl").isNull()).isTrue();
    assertThat(read.json().get("name").asText()).isEqualTo("Standing desk");
    assertThat(read.json().get("description").asText()).isEqualTo("Taller");
    assertThat(read.json().get("price").asText()).isEqualTo("250.00");
  }

  @Test
  void answersNotFoundForAnUnknownProduct() {
    Response response = app.api.get("/api/products/" + UUID.randomUUID(), null);

    assertProblem(response, 404, "NOT_FOUND");
  }

  @Test
  void answersNotFoundWhenUpdatingAnUnknownProduct() {
    Response response = app.api.put("/api/admin/products/" + UUID.randomUUID(), app.adminToken(),
        product("Ghost", "1.00"));

    assertProblem(response, 404, "NOT_FOUND");
  }

  static Stream<Arguments> malformedPrices() {
    return Stream.of(
        Arguments.of("not a number", "abc"),
        Arguments.of("negative", "-1"),
        Arguments.of("a JSON number instead of a string", 9.99),
        Arguments.of("a negative JSON number", -1),
        Arguments.of("three decimals", "1.999"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedPrices")
  void rejectsAMalformedPriceAndNamesTheField(String why, Object price) {
    Response response = create(product("Bad", price));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("price");
  }

  @Test
  void rejectsAMalformedPriceOnUpdate() {
    String id = createdId("Stool");

    Response response = app.api.put("/api/admin/products/" + id, app.adminToken(), product("Stool", "abc"));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("price");
  }

  @Test
  void rejectsAProductWithoutANameAndNamesTheField() {
    Response response = create(Map.of("description", "nameless", "price", "1.00"));

    assertProblem(response, 400, "VALIDATION");
    assertThat(response.json().get("errors").findValuesAsText("field")).containsExactly("name");
  }

  @Test
  void rejectsAMalformedProductIdWhenReading() {
    Response response = app.api.get("/api/products/not-a-uuid", null);

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void rejectsAMalformedProductIdWhenUpdating() {
    Response response = app.api.put("/api/admin/products/12345", app.adminToken(), product("X", "1.00"));

    assertProblem(response, 400, "VALIDATION");
  }

  @Test
  void refusesToCreateAProductWithoutAToken() {
    Response response = app.api.post("/api/admin/products", null, product("Anon", "1.00"));

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  @Test
  void refusesToUpdateAProductWithoutAToken() {
    String id = createdId("Bench");

    Response response = app.api.put("/api/admin/products/" + id, null, product("Bench", "1.00"));

    assertProblem(response, 401, "UNAUTHORIZED");
  }

  @Test
  void refusesToCreateAProductForACustomer() {
    Response response = app.api.post("/api/admin/products", app.register("shopper@example.com"),
        product("Mine", "1.00"));

    assertProblem(response, 403, "FORBIDDEN");
  }

  @Test
  void refusesToUpdateAProductForACustomer() {
    String id = createdId("Sofa");

    Response response = app.api.put("/api/admin/products/" + id, app.newBuyerToken(), product("Sofa", "0.01"));

    assertProblem(response, 403, "FORBIDDEN");
    assertThat(app.api.get("/api/products/" + id, null).json().get("price").asText()).isEqualTo("10.00");
  }
}
