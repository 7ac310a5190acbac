package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.testing.FlashSaleFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin products} against a real node: tables, {@code --json} and the API's validation. */
class AdminProductsTest {

  static FlashSaleFixture app;

  @TempDir
  Path config;

  CliHarness cli;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("admin-products");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void logIn() {
    cli = new CliHarness(config);
    cli.admin("login", "--url", app.api.baseUrl(), "--email", FlashSaleFixture.ADMIN_EMAIL,
        "--password", FlashSaleFixture.ADMIN_PASSWORD).succeeded();
  }

  private static JsonNode apiProduct(String id) {
    return app.api.get("/api/products/" + id, null).json();
  }

  @Test
  void createsAProductAndShowsItsFields() {
    CliHarness.Result result = cli.admin("products", "create", "--name", "Desk lamp", "--description", "Bright",
        "--image-url", "https://img.example/lamp.png", "--price", "49.5").succeeded();

    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(5);
    String id = lines.get(0).replaceFirst("^id\\s+", "");
    assertThat(lines).containsExactly(
        "id           " + id,
        "name         Desk lamp",
        "description  Bright",
        "image url    https://img.example/lamp.png",
        "price        49.50");
    assertThat(apiProduct(id).get("name").asText()).isEqualTo("Desk lamp");
  }

  @Test
  void createsAProductAndPrintsTheApisJson() {
    CliHarness.Result result = cli.admin("products", "create", "--name", "Mug", "--description", "",
        "--price", "5", "--json").succeeded();

    JsonNode printed = result.json();
    assertThat(printed.get("imageUrl").isNull()).isTrue();
    assertThat(printed).isEqualTo(apiProduct(printed.get("id").asText()));
    assertThat(result.out()).contains("\n  \"name\" : \"Mug\"");
  }

  @Test
  void listsProductsInAnAlignedTable() {
    String shortName = app.api.post("/api/admin/products", app.adminToken(),
        Map.of("name", "Cap", "description", "Red", "price", "7.00")).json().get("id").asText();
    String longName = app.api.post("/api/admin/products", app.adminToken(),
        Map.of("name", "Limited sneakers", "description", "x".repeat(100), "price", "199.99")).json()
        .get("id").asText();

    List<String> lines = cli.admin("products", "list").succeeded().out().lines().toList();

    String header = lines.get(0);
    assertThat(header).matches("ID\\s+NAME\\s+PRICE\\s+DESCRIPTION");
    String capRow = lines.stream().filter(line -> line.startsWith(shortName)).findFirst().orElseThrow();
    String sneakersRow = lines.stream().filter(line -> line.startsWith(longName)).findFirst().orElseThrow();
    assertThat(capRow.indexOf("Cap")).isEqualTo(header.indexOf("NAME"));
    assertThat(sneakersRow.indexOf("199.99")).isEqualTo(header.indexOf("PRICE"));
    assertThat(capRow.indexOf("7.00")).isEqualTo(header.indexOf("PRICE"));
    assertThat(sneakersRow).endsWith("x".repeat(37) + "...");
  }

  @Test
  void listsProductsAsTheApisJson() {
    app.createProduct();

    CliHarness.Result result = cli.admin("products", "list", "--json").succeeded();

    assertThat(result.json()).isEqualTo(app.api.get("/api/products", null).json());
  }

  @Test
  void showsTheApisValidationErrorsFieldByField() {
    CliHarness.Result result = cli.admin("products", "create", "--name", "Mug", "--description", "Big",
        "--image-url", "javascript:alert(1)", "--price", "cheap").failed();

    assertThat(result.err().lines().toList()).containsExactly(
        "flashsale admin: Invalid request: The request has invalid fields (VALIDATION)",
        "  imageUrl: must be an http(s) URL or a path starting with /",
        "  price: must be a decimal string such as \"9.99\"");
    assertThat(result.out()).isEmpty();
  }
}
