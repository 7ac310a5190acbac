package com.flashsale.http;

import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.server.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One route of the node, declared once by its feature: an HTTP method, a path template whose
 * {@code {name}} segments match any one non-empty segment, and the route serving it given the values of
 * those segments. {@link HttpServer} builds the directive tree from the endpoints, each endpoint labels its
 * own requests' meters with its template (so ids never become label values), and {@code OpenApiTest}
 * checks {@code openapi.yaml} against them.
 */
public record Endpoint(HttpMethod method, String template, Function<List<String>, Route> handler) {

  public static Endpoint get(String template, Supplier<Route> handler) {
    return of(HttpMethods.GET, template, handler);
  }

  public static Endpoint get(String template, Function<String, Route> handler) {
    return of(HttpMethods.GET, template, handler);
  }

  public static Endpoint post(String template, Supplier<Route> handler) {
    return of(HttpMethods.POST, template, handler);
  }

  public static Endpoint post(String template, Function<String, Route> handler) {
    return of(HttpMethods.POST, template, handler);
  }

  public static Endpoint put(String template, Function<String, Route> handler) {
    return of(HttpMethods.PUT, template, handler);
  }

  public static Endpoint patch(String template, Function<String, Route> handler) {
    return of(HttpMethods.PATCH, template, handler);
  }

  public static Endpoint delete(String template, Function<String, Route> handler) {
    return of(HttpMethods.DELETE, template, handler);
  }

  /** The endpoints of several features, in order. */
  @SafeVarargs
  public static List<Endpoint> all(List<Endpoint>... features) {
    List<Endpoint> all = new ArrayList<>();
    for (List<Endpoint> feature : features) {
      all.addAll(feature);
    }
    return List.copyOf(all);
  }

  private static Endpoint of(HttpMethod method, String template, Supplier<Route> handler) {
    return checked(new Endpoint(method, template, values -> handler.get()), 0);
  }

  private static Endpoint of(HttpMethod method, String template, Function<String, Route> handler) {
    return checked(new Endpoint(method, template, values -> handler.apply(values.get(0))), 1);
  }

  /** A template its handler cannot serve fails the node's start, not a request. */
  private static Endpoint checked(Endpoint endpoint, int parameters) {
    if (!endpoint.template().startsWith("/") || endpoint.segments().contains("")) {
      throw new IllegalArgumentException(endpoint + ": a template is /segment/segment..., none of them empty");
    }
    if (endpoint.segments().stream().filter(Endpoint::isParameter).count() != parameters) {
      throw new IllegalArgumentException(endpoint + ": its handler takes " + parameters + " path parameters");
    }
    return endpoint;
  }

  /** Where this endpoint's parameters stand among its path's segments (read once, when the router is built). */
  int[] parameterPositions() {
    List<String> segments = segments();
    return IntStream.range(0, segments.size()).filter(i -> isParameter(segments.get(i))).toArray();
  }

  /** The segments of a request's path at {@code positions}: the values of the parameters its endpoint matched. */
  static List<String> valuesAt(Uri uri, int[] positions) {
    List<String> values = new ArrayList<>(positions.length);
    int i = 0;
    int next = 0;
    for (String segment : uri.pathSegments()) {
      if (next < positions.length && positions[next] == i) {
        values.add(segment);
        next++;
      }
      i++;
    }
    return values;
  }

  List<String> segments() {
    return List.of(template.substring(1).split("/", -1));
  }

  static boolean isParameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }

  @Override
  public String toString() {
    return method.name() + " " + template;
  }
}
