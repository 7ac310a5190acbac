package com.flashsale.ops;

import static com.flashsale.ops.MetricsTest.samples;
import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.http.Endpoint;
import com.flashsale.http.RequestLabel;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} of a running node. */
class MetricsEndpointTest {

  private static final Pattern ROUTE_LABEL = Pattern.compile("route=\"([^\"]*)\"");
  private static final String COUNT = "http_server_requests_seconds_count";

  static FlashSaleFixture app;
  static String saleId;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("metrics");
    saleId = app.createSaleId(Map.of());
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static String scrape() {
    Response response = app.api.get("/metrics", null);
    assertThat(response.status()).isEqualTo(200);
    return response.body();
  }

  @Test
  void servesPrometheusText() {
    Response response = app.api.get("/metrics", null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).startsWith("text/plain").contains("version=0.0.4");
    assertThat(response.body()).contains("# TYPE http_server_requests_seconds histogram");
  }

  @Test
  void timesRequestsByRouteTemplate() {
    assertThat(app.api.get("/api/sales/" + saleId, null).status()).isEqualTo(200);
    assertThat(app.api.get("/api/sales/" + saleId, null).status()).isEqualTo(200);

    assertThat(samples(scrape(), "http_server_requests_seconds_bucket",
        "method=\"GET\"", "route=\"/api/sales/{id}\"", "status=\"200\"")).isNotEmpty();
  }

  @Test
  void labelsUnknownPathsUnmatched() {
    assertThat(app.api.get("/api/nothing/" + UUID.randomUUID(), null).status()).isEqualTo(404);

    assertThat(samples(scrape(), "http_server_requests_seconds_count",
        "method=\"GET\"", "route=\"unmatched\"", "status=\"404\"")).isNotEmpty();
  }

  @Test
  void labelsARequestWithItsEndpointsTemplate() {
    String id = UUID.randomUUID().toString();
    app.api.get("/api/sales/" + saleId, null);
    app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);
    app.api.get("/api/admin/sales/" + saleId + "/orders", app.adminToken());
    app.api.delete("/api/orders/" + id + "-7", app.newBuyerToken());
    app.api.get("/api/sales", null);
    app.api.get("/metrics", null);

    String scrape = scrape();

    assertThat(samples(scrape, COUNT, "method=\"GET\"", "route=\"/api/sales/{id}\"")).isNotEmpty();
    assertThat(samples(scrape, COUNT, "method=\"POST\"", "route=\"/api/sales/{id}/purchase\"")).isNotEmpty();
    assertThat(samples(scrape, COUNT, "method=\"GET\"", "route=\"/api/admin/sales/{id}/orders\"")).isNotEmpty();
    assertThat(samples(scrape, COUNT, "method=\"DELETE\"", "route=\"/api/orders/{id}\"")).isNotEmpty();
    assertThat(samples(scrape, COUNT, "method=\"GET\"", "route=\"/api/sales\"")).isNotEmpty();
    assertThat(samples(scrape, COUNT, "method=\"GET\"", "route=\"/metrics\"")).isNotEmpty();
  }

  @Test
  void labelsARequestNoEndpointServesUnmatched() {
    String id = UUID.randomUUID().toString();
    double deletes = requests("DELETE", RequestLabel.UNMATCHED, 404);
    double gets = requests("GET", RequestLabel.UNMATCHED, 404);
    double posts = requests("POST", RequestLabel.UNMATCHED, 404);

    app.api.delete("/api/sales/" + id, app.adminToken());
    app.api.get("/api/sales/" + id + "/purchase", null);
    app.api.get("/api/sales/", null);
    app.api.post("/api/sales//purchase", app.newBuyerToken(), null);
    app.api.get("/api/" + id, null);
    app.api.send("BREW", "/metrics", null, null, null, Map.of());

    assertThat(requests("DELETE", RequestLabel.UNMATCHED, 404)).isEqualTo(deletes + 1);
    assertThat(requests("GET", RequestLabel.UNMATCHED, 404)).isEqualTo(gets + 3);
    assertThat(requests("POST", RequestLabel.UNMATCHED, 404)).isEqualTo(posts + 1);
    assertThat(samples(scrape(), COUNT, "method=\"BREW\"")).as("a method no route knows is never timed").isEmpty();
  }

  /** How many requests were timed with these labels so far. */
  private static double requests(String method, String route, int status) {
    List<String> lines = samples(scrape(), COUNT, "method=\"" + method + "\"", "route=\"" + route + "\"",
        "status=\"" + status + "\"");
    return lines.isEmpty() ? 0 : Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1));
  }

  @Test
  void neverPutsARawIdInARouteLabel() {
    String unknownSale = UUID.randomUUID().toString();
    app.api.get("/api/sales/" + saleId, null);
    app.api.get("/api/sales/" + unknownSale, null);
    app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);
    app.api.get("/api/admin/sales/" + saleId + "/stats", app.adminToken());
    app.api.get("/api/sales/" + unknownSale + "/nothing", null);

    String scrape = scrape();

    Set<String> allowed = app.node.endpoints().stream().map(Endpoint::template)
        .collect(Collectors.toSet());
    allowed.add(RequestLabel.UNMATCHED);
    Set<String> routes = new TreeSet<>();
    Matcher labels = ROUTE_LABEL.matcher(scrape);
    while (labels.find()) {
      routes.add(labels.group(1));
    }
    assertThat(routes).contains("/api/sales/{id}", "/api/sales/{id}/purchase", "/api/admin/sales/{id}/stats")
        .isSubsetOf(allowed);
    assertThat(scrape).doesNotContain(saleId).doesNotContain(unknownSale);
  }

  @Test
  void exposesTheDomainMeters() {
    String scrape = scrape();

    assertThat(samples(scrape, "flashsale_projection_lag_seconds")).isNotEmpty();
    assertThat(samples(scrape, "flashsale_reserve_batch_size_bucket")).isNotEmpty();
    assertThat(samples(scrape, "flashsale_purchases_total", "outcome=\"reserved\"")).isNotEmpty();
  }

  @Test
  void exposesJvmGauges() {
    String scrape = scrape();

    assertThat(samples(scrape, "jvm_memory_used_bytes")).isNotEmpty();
    assertThat(samples(scrape, "jvm_gc_memory_allocated_bytes_total")).isNotEmpty();
    assertThat(samples(scrape, "process_cpu_usage")).isNotEmpty();
  }

  @Test
  void exposesClusterGauges() {
    eventually(Duration.ofSeconds(10), () -> {
      String scrape = scrape();
      assertThat(samples(scrape, "akka_cluster_members", "status=\"up\"")).singleElement().asString()
          .endsWith(" 1.0");
      assertThat(samples(scrape, "akka_cluster_members", "status=\"joining\"")).singleElement().asString()
          .endsWith(" 0.0");
      assertThat(samples(scrape, "akka_cluster_unreachable_members")).singleElement().asString().endsWith(" 0.0");
    });
  }

  @Test
  void exposesTheShardingGaugesOfTheSaleEntities() {
    app.api.get("/api/sales/" + saleId, null);

    eventually(Duration.ofSeconds(15), () -> assertThat(samples(scrape(), "akka_cluster_sharding_entities",
        "entity_type=\"Sale\"")).singleElement().asString().doesNotEndWith(" 0.0"));
  }
}
