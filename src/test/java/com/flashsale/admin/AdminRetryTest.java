package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sale changes' Idempotency-Key and retries, against a stand-in for the API that answers 503 or
 * nothing: one key per run, the same key and body on every attempt, 3 attempts at most, the Retry-After
 * waited. (AdminSalesTest has the real node apply a retried change once.)
 */
class AdminRetryTest {

  private static final String SALE = "8a6e0804-2bd0-4672-b79d-d97027f9071a";
  private static final String PRODUCT = "5b0c3f7e-2f43-4a53-9d0c-52a8b4a7f0a1";

  @TempDir
  Path config;

  CliHarness cli;

  @BeforeEach
  void harness() {
    cli = new CliHarness(config).env("FLASHSALE_TOKEN", "admin-token");
  }

  private CliHarness.Result create(StandInApi api) {
    return cli.admin("sales", "create", "--url", api.url(), "--product", PRODUCT, "--stock", "10",
        "--starts-at", "2030-01-01T10:00:00Z", "--ends-at", "2030-01-01T12:00:00Z", "--json");
  }

  private static void assertOneKeyOneBody(List<StandInApi.Request> requests) {
    StandInApi.Request first = requests.get(0);
    assertThat(first.idempotencyKey()).isNotBlank().hasSizeLessThanOrEqualTo(200).matches("\\p{Graph}+");
    assertThat(requests).allSatisfy(request -> {
      assertThat(request.idempotencyKey()).isEqualTo(first.idempotencyKey());
      assertThat(request.method()).isEqualTo(first.method());
      assertThat(request.path()).isEqualTo(first.path());
      assertThat(request.body()).isEqualTo(first.body());
      assertThat(request.authorization()).isEqualTo("Bearer admin-token");
    });
  }

  /** The second request came at least the Retry-After (1 s) after the first. */
  private static void assertWaited(List<StandInApi.Request> requests) {
    for (int i = 1; i < requests.size(); i++) {
      assertThat(Duration.ofNanos(requests.get(i).receivedNanos() - requests.get(i - 1).receivedNanos()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void aCreateAnswered503IsRetriedWithTheSameKeyAndBody() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) ->
        n == 1 ? StandInApi.overloaded() : StandInApi.json(201, StandInApi.saleJson(SALE, 10)))) {

      CliHarness.Result result = create(api).succeeded();

      assertThat(result.json().get("id").asText()).isEqualTo(SALE);
      List<StandInApi.Request> requests = api.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(0).method()).isEqualTo("POST");
      assertThat(requests.get(0).path()).isEqualTo("/api/admin/sales");
      assertThat(requests.get(0).body()).contains("\"stock\":10");
      assertOneKeyOneBody(requests);
      assertWaited(requests);
    }
  }

  @Test
  void anAddStockAnswered503IsRetriedWithTheSameKeyAndBody() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) ->
        n == 1 ? StandInApi.overloaded() : StandInApi.json(200, StandInApi.saleJson(SALE, 15)))) {

      CliHarness.Result result = cli.admin("sales", "add-stock", SALE, "5", "--url", api.url()).succeeded();

      assertThat(result.out()).contains("15");
      List<StandInApi.Request> requests = api.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(0).method()).isEqualTo("PATCH");
      assertThat(requests.get(0).path()).isEqualTo("/api/admin/sales/" + SALE);
      assertThat(requests.get(0).body()).isEqualTo("{\"addStock\":5}");
      assertOneKeyOneBody(requests);
      assertWaited(requests);
    }
  }

  @Test
  void aMoveAndACancelWithoutAnAnswerAreRetriedWithTheSameKey() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) ->
        n % 2 == 1 ? StandInApi.NONE : StandInApi.json(200, StandInApi.saleJson(SALE, 10)))) {

      cli.admin("sales", "move", SALE, "--ends-at", "2030-01-02T00:00:00Z", "--url", api.url()).succeeded();
      cli.admin("sales", "cancel", SALE, "--url", api.url()).succeeded();

      List<StandInApi.Request> requests = api.requests();
      assertThat(requests).extracting(StandInApi.Request::method).containsExactly("PATCH", "PATCH", "POST", "POST");
      assertOneKeyOneBody(requests.subList(0, 2));
      assertOneKeyOneBody(requests.subList(2, 4));
      assertThat(requests.get(2).path()).isEqualTo("/api/admin/sales/" + SALE + "/cancel");
      assertThat(requests.get(2).idempotencyKey()).isNotEqualTo(requests.get(0).idempotencyKey());
    }
  }

  @Test
  void eachRunHasItsOwnKey() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) -> StandInApi.json(200, StandInApi.saleJson(SALE, 10)))) {

      cli.admin("sales", "add-stock", SALE, "5", "--url", api.url()).succeeded();
      cli.admin("sales", "add-stock", SALE, "5", "--url", api.url()).succeeded();

      List<StandInApi.Request> requests = api.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(0).body()).isEqualTo(requests.get(1).body());
      assertThat(requests.get(0).idempotencyKey()).isNotBlank().isNotEqualTo(requests.get(1).idempotencyKey());
    }
  }

  @Test
  void givesUpAfterThreeAttemptsAnswered503() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) -> StandInApi.overloaded())) {

      CliHarness.Result result = create(api).failed();

      List<StandInApi.Request> requests = api.requests();
      assertThat(requests).hasSize(3);
      assertOneKeyOneBody(requests);
      assertWaited(requests);
      assertThat(result.out()).isEmpty();
      assertThat(result.err().lines().toList()).containsExactly(
          "flashsale admin: Service overloaded: retry (OVERLOADED) (retry after 1 s)",
          "  sent 3 times with the same Idempotency-Key: the change may or may not have been made (never twice);"
              + " check before running the command again, which would make a new change");
    }
  }

  @Test
  void givesUpAfterThreeAttemptsWithoutAnAnswer() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) -> StandInApi.NONE)) {

      CliHarness.Result result = cli.admin("sales", "add-stock", SALE, "5", "--url", api.url()).failed();

      assertThat(api.requests()).hasSize(3);
      assertOneKeyOneBody(api.requests());
      assertThat(result.err()).startsWith("flashsale admin: no answer from " + api.url() + " (")
          .contains("sent 3 times with the same Idempotency-Key: the change may or may not have been made");
    }
  }

  @Test
  void anotherErrorIsFinal() throws Exception {
    try (StandInApi api = StandInApi.start((n, request) -> new StandInApi.Answer(409,
        java.util.Map.of("Content-Type", "application/problem+json"),
        "{\"type\":\"about:blank\",\"title\":\"Change not allowed\",\"status\":409,\"code\":\"INVALID_TRANSITION\","
            + "\"detail\":\"The sale was cancelled\"}"))) {

      CliHarness.Result result = cli.admin("sales", "add-stock", SALE, "5", "--url", api.url()).failed();

      assertThat(api.requests()).hasSize(1);
      assertThat(result.err()).isEqualToIgnoringNewLines(
          "flashsale admin: Change not allowed: The sale was cancelled (INVALID_TRANSITION)");
    }
  }

  @Test
  void aRefusedConnectionIsNotRetried() {
    String url = "http://127.0.0.1:" + TestNodes.freePort();
    long started = System.nanoTime();

    CliHarness.Result result = cli.admin("sales", "add-stock", SALE, "5", "--url", url).failed();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(900));
    assertThat(result.err()).isEqualToIgnoringNewLines("flashsale admin: cannot reach the FlashSale API at " + url
        + " (connection refused): is a node running there? Set --url or FLASHSALE_URL");
  }
}
