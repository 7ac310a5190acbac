package com.flashsale.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of the routes this node serves, as (method, path template) pairs. The OpenAPI document
 * ({@code openapi.yaml}) must describe exactly these, and the router must serve exactly these
 * ({@code OpenApiTest} checks both), so a new route is added here, in the document and in its feature's
 * routes together. Metrics label each request with its template, never its raw path, so that ids do not
 * become label values.
 */
public final class ApiRoutes {

  /** One route: an upper-case HTTP method and a path whose {@code {name}} segments match any one segment. */
  public record Endpoint(String method, String template) {

    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  public static final List<Endpoint> ALL = List.of(
      get("/health/alive"),
      get("/health/ready"),
      get("/metrics"),
      get("/api/openapi.yaml"),

      post("/api/auth/register"),
      post("/api/auth/login"),
      get("/api/me"),

      get("/api/products"),
      get("/api/products/{id}"),
      post("/api/admin/products"),
      new Endpoint("PUT", "/api/admin/products/{id}"),

      get("/api/sales"),
      get("/api/sales/{id}"),
      get("/api/sales/{id}/events"),
      post("/api/admin/sales"),
      new Endpoint("PATCH", "/api/admin/sales/{id}"),
      post("/api/admin/sales/{id}/cancel"),
      get("/api/admin/sales/{id}/stats"),
      get("/api/admin/sales/{id}/orders"),

      post("/api/sales/{id}/purchase"),
      get("/api/orders"),
      get("/api/orders/{id}"),
      new Endpoint("DELETE", "/api/orders/{id}"),
      post("/api/orders/{id}/pay"));

  /** What a request that matches no route is labelled with. */
  public static final String UNMATCHED = "unmatched";

  private record Pattern(String template, String[] segments, int literals) {

    static Pattern of(String template) {
      String[] segments = template.split("/", -1);
      int literals = 0;
      for (String segment : segments) {
        literals += isParameter(segment) ? 0 : 1;
      }
      return new Pattern(template, segments, literals);
    }

    boolean matches(String[] path) {
      if (path.length != segments.length) {
        return false;
      }
      for (int i = 0; i < path.length; i++) {
        if (isParameter(segments[i]) ? path[i].isEmpty() : !segments[i].equals(path[i])) {
          return false;
        }
      }
      return true;
    }

    private static boolean isParameter(String segment) {
      return segment.startsWith("{") && segment.endsWith("}");
    }
  }

  /** Per method, the templates with the most literal segments first, so a literal beats a parameter. */
  private static final Map<String, List<Pattern>> BY_METHOD = index();

  private ApiRoutes() {}

  /** The template of the route serving {@code method} on {@code path}, if any does. */
  public static Optional<String> templateOf(String method, String path) {
    List<Pattern> candidates = BY_METHOD.get(method);
    if (candidates == null) {
      return Optional.empty();
    }
    String[] segments = path.split("/", -1);
    for (Pattern candidate : candidates) {
      if (candidate.matches(segments)) {
        return Optional.of(candidate.template());
      }
    }
    return Optional.empty();
  }

  /** The metrics label of a request: its route's template, or {@link #UNMATCHED}. */
  public static String labelOf(String method, String path) {
    return templateOf(method, path).orElse(UNMATCHED);
  }

  private static Endpoint get(String template) {
    return new Endpoint("GET", template);
  }

  private static Endpoint post(String template) {
    return new Endpoint("POST", template);
  }

  private static Map<String, List<Pattern>> index() {
    Map<String, List<Pattern>> byMethod = new HashMap<>();
    for (Endpoint endpoint : ALL) {
      byMethod.computeIfAbsent(endpoint.method(), method -> new ArrayList<>()).add(Pattern.of(endpoint.template()));
    }
    byMethod.replaceAll((method, patterns) -> patterns.stream()
        .sorted(Comparator.comparingInt(Pattern::literals).reversed())
        .toList());
    return Map.copyOf(byMethod);
  }
}
