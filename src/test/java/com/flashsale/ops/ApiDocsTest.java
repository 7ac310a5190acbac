package com.flashsale.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.flashsale.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract for people ({@code docs/api.md}) and the one for machines ({@code openapi.yaml}) cannot drift:
 * they list the same endpoints, api.md's error table has exactly the codes of {@link ErrorCode} with their
 * statuses, and api.md explains every header the document names. api.md gives each endpoint a heading of its
 * own, {@code ### METHOD /path/{param}}, written as in the document's paths.
 */
class ApiDocsTest {

  private static final Path OPENAPI = Path.of("src/main/resources/openapi.yaml");
  private static final Path API_DOCS = Path.of("docs/api.md");
  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
      "trace");
  private static final Pattern ENDPOINT_HEADING =
      Pattern.compile("### (GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) (/\\S*)");
  private static final Pattern HEADING = Pattern.compile("#+ .*");

  @Test
  void everyOperationOfTheDocumentHasItsHeadingInApiMd() {
    Set<String> missing = new TreeSet<>(documentOperations());
    missing.removeAll(apiMdEndpoints());
    assertThat(missing).as("operations of openapi.yaml without a '### METHOD /path' heading in docs/api.md").isEmpty();
  }

  @Test
  void everyEndpointOfApiMdIsAnOperationOfTheDocument() {
    Set<String> unknown = new TreeSet<>(apiMdEndpoints());
    unknown.removeAll(documentOperations());
    assertThat(unknown).as("'### METHOD /path' headings of docs/api.md that openapi.yaml does not describe").isEmpty();
  }

  @Test
  void eachEndpointHasOneHeading() {
    List<String> headings = endpointHeadings();
    assertThat(headings).as("endpoint headings of docs/api.md").isNotEmpty().doesNotHaveDuplicates();
  }

  @Test
  void theErrorTableListsEveryErrorCodeWithItsStatus() {
    Map<String, Integer> documented = new TreeMap<>();
    for (List<String> row : tableRows(section("## Errors"))) {
      documented.put(row.get(0).replace("`", ""), Integer.valueOf(row.get(1)));
    }
    Map<String, Integer> inCode = new TreeMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      inCode.put(code.name(), code.status);
    }
    assertThat(documented).as("code -> status in the error table of docs/api.md, against ErrorCode").isEqualTo(inCode);
  }

  @Test
  void theHeadersSectionExplainsEveryHeaderTheDocumentNames() {
    JsonNode document = document();
    Set<String> named = new TreeSet<>();
    // Not components/headers itself: its keys name reusable header objects, not headers.
    for (JsonNode part : List.of(document.path("paths"), document.path("components").path("parameters"),
        document.path("components").path("responses"))) {
      collectHeaders(part, named);
    }
    document.path("components").path("securitySchemes").forEach(scheme -> {
      if ("http".equals(scheme.path("type").asText())) {
        named.add("Authorization");
      }
    });
    assertThat(named).as("headers openapi.yaml names").contains("Idempotency-Key", "Retry-After", "Authorization");
    String headers = String.join("\n", section("## Headers"));
    assertThat(named.stream().filter(header -> !headers.contains("`" + header + "`")).toList())
        .as("headers of openapi.yaml missing from the Headers section of docs/api.md").isEmpty();
  }

  // ---- openapi.yaml

  /** Every (METHOD, path) of the document, as "GET /api/sales/{id}". */
  private static Set<String> documentOperations() {
    Set<String> operations = new TreeSet<>();
    document().path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
      if (HTTP_METHODS.contains(key)) {
        operations.add(key.toUpperCase() + " " + path.getKey());
      }
    }));
    assertThat(operations).as("operations of openapi.yaml").isNotEmpty();
    return operations;
  }

  /** Header parameters ({@code in: header}) and response headers, anywhere under {@code node}. */
  private static void collectHeaders(JsonNode node, Set<String> names) {
    if (node.isObject()) {
      if ("header".equals(node.path("in").asText()) && node.has("name")) {
        names.add(node.get("name").asText());
      }
      JsonNode headers = node.get("headers");
      if (headers != null && headers.isObject()) {
        headers.fieldNames().forEachRemaining(names::add);
      }
      node.elements().forEachRemaining(child -> collectHeaders(child, names));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collectHeaders(child, names));
    }
  }

  private static JsonNode document() {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(OPENAPI.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(OPENAPI + " is not readable YAML", e);
    }
  }

  // ---- docs/api.md

  private static Set<String> apiMdEndpoints() {
    return new TreeSet<>(endpointHeadings());
  }

  /** The "### METHOD /path" headings, as "METHOD /path", in the order they come. */
  private static List<String> endpointHeadings() {
    List<String> endpoints = new ArrayList<>();
    for (String line : apiMd()) {
      Matcher heading = ENDPOINT_HEADING.matcher(line.strip());
      if (heading.matches()) {
        endpoints.add(heading.group(1) + " " + heading.group(2));
      }
    }
    return endpoints;
  }

  /** The lines under a heading, up to the next heading of any level. */
  private static List<String> section(String heading) {
    List<String> lines = apiMd();
    int start = lines.indexOf(heading);
    assertThat(start).as("docs/api.md has the heading '" + heading + "'").isNotNegative();
    List<String> section = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (HEADING.matcher(line).matches()) {
        break;
      }
      section.add(line);
    }
    return section;
  }

  /** The cells of the body rows of the Markdown tables in these lines (no header row, no |---| line). */
  private static List<List<String>> tableRows(List<String> lines) {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      boolean header = i + 1 < lines.size() && lines.get(i + 1).strip().startsWith("|---");
      if (line.startsWith("|") && !line.startsWith("|---") && !header) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1).split("\\|")) {
          cells.add(cell.strip());
        }
        rows.add(cells);
      }
    }
    assertThat(rows).as("table rows").isNotEmpty();
    return rows;
  }

  private static List<String> apiMd() {
    try {
      return Files.readAllLines(API_DOCS);
    } catch (IOException e) {
      throw new UncheckedIOException(API_DOCS + " is missing (the HTTP contract for people)", e);
    }
  }
}
