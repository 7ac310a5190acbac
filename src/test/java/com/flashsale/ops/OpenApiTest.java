package com.flashsale.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.flashsale.ErrorCode;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Json;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the node's endpoints (each declared once, in its feature's routes, as an
 * {@link Endpoint}) agree: the document describes exactly those endpoints; a running node serves every one
 * of them, no other method on their paths and nothing beside them; and no path directive names a segment no
 * endpoint knows. An endpoint added without the document, or to the document alone, fails here.
 */
class OpenApiTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
      "trace");
  private static final List<String> PROBED_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}/]+)}");
  private static final String NO_SUCH_ROUTE = "No such route";
  /** A literal segment given to a path directive or matcher: {@code path("pay")}, {@code .slash("orders")}. */
  private static final Pattern PATH_LITERAL =
      Pattern.compile("\\b(?:path|pathPrefix|pathSuffix|segment|slash)\\(\\s*\"([^\"]*)\"");

  static FlashSaleFixture app;
  static String saleId;
  static String productId;
  static String orderId;
  private static final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("openapi");
    JsonNode sale = app.createSale(Map.of("stock", 5));
    saleId = sale.get("id").asText();
    productId = sale.get("product").get("id").asText();
    Response order = app.api.post("/api/sales/" + saleId + "/purchase", app.newBuyerToken(), null);
    assertThat(order.status()).as(order.toString()).isEqualTo(201);
    orderId = order.json().get("id").asText();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- the document and the endpoints ----

  @Test
  void documentDescribesExactlyTheRouteTable() {
    Set<String> documented = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = document().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(key -> {
        if (HTTP_METHODS.contains(key)) {
          documented.add(key.toUpperCase() + " " + path.getKey());
        }
      });
    }
    Set<String> inCode = new TreeSet<>();
    endpoints().forEach(endpoint -> inCode.add(endpoint.toString()));

    assertThat(documented).as("(method, path) pairs of openapi.yaml against the node's endpoints")
        .containsExactlyInAnyOrderElementsOf(inCode);
  }

  @Test
  void routeTableHasNoDuplicates() {
    assertThat(endpoints().stream().map(Endpoint::toString).toList()).doesNotHaveDuplicates();
  }

  @Test
  void everyPathParameterIsDeclaredOnItsOperations() {
    JsonNode document = document();
    List<String> undeclared = new ArrayList<>();
    document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
      if (!HTTP_METHODS.contains(operation.getKey())) {
        return;
      }
      Set<String> declared = new LinkedHashSet<>();
      for (JsonNode parameter : operation.getValue().path("parameters")) {
        JsonNode resolved = resolve(document, parameter);
        if ("path".equals(resolved.path("in").asText())) {
          declared.add(resolved.path("name").asText());
        }
      }
      Matcher placeholders = PLACEHOLDER.matcher(path.getKey());
      while (placeholders.find()) {
        if (!declared.contains(placeholders.group(1))) {
          undeclared.add(operation.getKey().toUpperCase() + " " + path.getKey() + ": {" + placeholders.group(1) + "}");
        }
      }
    }));
    assertThat(undeclared).isEmpty();
  }

  @Test
  void everyOperationDescribesItsResponses() {
    List<String> without = new ArrayList<>();
    document().get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
      if (HTTP_METHODS.contains(operation.getKey()) && operation.getValue().path("responses").size() == 0) {
        without.add(operation.getKey().toUpperCase() + " " + path.getKey());
      }
    }));
    assertThat(without).isEmpty();
  }

  @Test
  void everyReferenceResolves() {
    JsonNode document = document();
    List<String> dangling = new ArrayList<>();
    collectDanglingReferences(document, document, dangling);
    assertThat(dangling).isEmpty();
  }

  @Test
  void everyErrorCodeIsInTheProblemSchema() {
    Set<String> documented = new TreeSet<>();
    document().at("/components/schemas/ErrorCode/enum").forEach(code -> documented.add(code.asText()));
    Set<String> inCode = new TreeSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      inCode.add(code.name());
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(inCode);
  }

  @Test
  void everyPathLiteralOfTheRoutesCodeIsASegmentOfTheTable() throws IOException {
    Set<String> segments = new TreeSet<>();
    endpoints().forEach(endpoint -> segments.addAll(List.of(endpoint.template().split("/"))));
    Set<String> unknown = new TreeSet<>();
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
      for (Path source : sources.filter(file -> file.toString().endsWith(".java")).toList()) {
        String code = Files.readString(source);
        if (!code.contains("import static akka.http.javadsl.server.Directives")) {
          continue; // not a routes file: path("...") there is e.g. Jackson's JsonNode.path
        }
        Matcher literals = PATH_LITERAL.matcher(code);
        while (literals.find()) {
          for (String segment : literals.group(1).split("/")) {
            if (!segments.contains(segment)) {
              unknown.add(source.getFileName() + ": \"" + segment + "\"");
            }
          }
        }
      }
    }
    assertThat(unknown).as("path segments matched by the routes but named by no endpoint").isEmpty();
  }

  // ---- the endpoints and the router ----

  @Test
  void servesTheDocumentAsYaml() {
    Response response = app.api.get("/api/openapi.yaml", null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).startsWith("application/yaml");
    assertThat(response.body()).isEqualTo(new String(OperationsRoutes.openApiDocument(), StandardCharsets.UTF_8));
  }

  @Test
  void servesEveryRouteOfTheTable() {
    List<String> notServed = new ArrayList<>();
    for (Endpoint endpoint : endpoints()) {
      Answer answer = send(endpoint.method().name(), examplePath(endpoint.template()));
      if (answer.isNoSuchRoute()) {
        notServed.add(endpoint.toString());
      }
    }
    assertThat(notServed).as("endpoints that the router answers with \"No such route\"").isEmpty();
  }

  @Test
  void servesNoOtherMethodOnTheTablesPaths() {
    Map<String, Set<String>> methodsByTemplate = new LinkedHashMap<>();
    endpoints().forEach(endpoint ->
        methodsByTemplate.computeIfAbsent(endpoint.template(), t -> new TreeSet<>()).add(endpoint.method().name()));
    List<String> servedButUndeclared = new ArrayList<>();
    methodsByTemplate.forEach((template, declared) -> {
      for (String method : PROBED_METHODS) {
        if (!declared.contains(method) && !send(method, examplePath(template)).isNoSuchRoute()) {
          servedButUndeclared.add(method + " " + template);
        }
      }
    });
    assertThat(servedButUndeclared).as("served but declared by no endpoint and missing from openapi.yaml").isEmpty();
  }

  @Test
  void answersNoSuchRouteForPathsOutsideTheTable() {
    List<String> paths = List.of(
        "/api/nothing",
        "/api/sales/" + saleId + "/nothing",
        "/api/admin/sales/" + saleId + "/nothing",
        "/api/admin/products/" + productId + "/nothing",
        "/api/orders/" + orderId + "/nothing",
        "/api/products/" + productId + "/nothing",
        "/api/admin",
        "/health/nothing");
    List<String> served = new ArrayList<>();
    for (String path : paths) {
      for (String method : PROBED_METHODS) {
        if (!send(method, path).isNoSuchRoute()) {
          served.add(method + " " + path);
        }
      }
    }
    assertThat(served).isEmpty();
  }

  // ---- helpers ----

  private static List<Endpoint> endpoints() {
    return app.node.endpoints();
  }

  private record Answer(int status, String detail) {
    boolean isNoSuchRoute() {
      return status == 404 && NO_SUCH_ROUTE.equals(detail);
    }
  }

  /** Sends without a body as the admin, so that authorisation never hides routing. */
  private static Answer send(String method, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(app.api.baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + app.adminToken())
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    try {
      // A stream (server-sent events) never ends: read a body only when it is a 404's problem.
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        String detail = response.statusCode() == 404
            ? Json.MAPPER.readTree(body.readAllBytes()).path("detail").asText(null)
            : null;
        return new Answer(response.statusCode(), detail);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The template with real ids of this fixture's sale, product and order. */
  private static String examplePath(String template) {
    Matcher placeholders = PLACEHOLDER.matcher(template);
    StringBuilder path = new StringBuilder();
    while (placeholders.find()) {
      String before = template.substring(0, placeholders.start());
      String value;
      if (before.endsWith("/orders/")) {
        value = orderId;
      } else if (before.endsWith("/products/")) {
        value = productId;
      } else if (before.endsWith("/sales/")) {
        value = saleId;
      } else {
        throw new AssertionError("No example value for " + placeholders.group() + " in " + template
            + ": teach OpenApiTest.examplePath one");
      }
      placeholders.appendReplacement(path, Matcher.quoteReplacement(value));
    }
    placeholders.appendTail(path);
    return path.toString();
  }

  private static JsonNode document() {
    try {
      return YAML.readTree(OperationsRoutes.openApiDocument());
    } catch (IOException e) {
      throw new UncheckedIOException("openapi.yaml is not valid YAML", e);
    }
  }

  private static JsonNode resolve(JsonNode document, JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : document.at(ref.asText().substring(1));
  }

  private static void collectDanglingReferences(JsonNode document, JsonNode node, List<String> dangling) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && (!ref.asText().startsWith("#/") || document.at(ref.asText().substring(1)).isMissingNode())) {
        dangling.add(ref.asText());
      }
      node.elements().forEachRemaining(child -> collectDanglingReferences(document, child, dangling));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collectDanglingReferences(document, child, dangling));
    }
  }
}
