package com.flashsale.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.extractUri;
import static akka.http.javadsl.server.Directives.method;
import static akka.http.javadsl.server.Directives.pathEnd;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.PathMatchers.segment;

import akka.http.javadsl.server.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The directive tree of a list of endpoints: a branch per path segment, literal segments tried before a
 * parameter, so a request walks one path down the tree. At an endpoint's path, each method is a leaf that
 * labels the request with the endpoint's template ({@link RequestLabel}) before its route runs; a known path
 * asked with another method is rejected as Akka does (and answered 404 like an unknown path). The tree is
 * built once: a leaf reads its parameters' values from the request's path, so no request builds routes
 * of its own on the way down.
 */
final class EndpointTree {

  private final Map<String, EndpointTree> literals = new LinkedHashMap<>();
  private final Map<String, Endpoint> byMethod = new LinkedHashMap<>();
  private EndpointTree parameter;

  private EndpointTree() {}

  /** The tree of {@code endpoints}, each endpoint's route run inside {@code around} (say, a rate limit). */
  static Route of(List<Endpoint> endpoints, Function<Supplier<Route>, Route> around) {
    EndpointTree root = new EndpointTree();
    endpoints.forEach(endpoint -> root.add(endpoint, endpoint.segments()));
    return root.route(around);
  }

  private void add(Endpoint endpoint, List<String> segments) {
    if (segments.isEmpty()) {
      if (byMethod.putIfAbsent(endpoint.method().name(), endpoint) != null) {
        throw new IllegalArgumentException(endpoint + " is declared twice");
      }
      return;
    }
    String segment = segments.get(0);
    EndpointTree child;
    if (Endpoint.isParameter(segment)) {
      parameter = parameter == null ? new EndpointTree() : parameter;
      child = parameter;
    } else {
      child = literals.computeIfAbsent(segment, literal -> new EndpointTree());
    }
    child.add(endpoint, segments.subList(1, segments.size()));
  }

  /** This node's routes. */
  private Route route(Function<Supplier<Route>, Route> around) {
    List<Route> branches = new ArrayList<>();
    if (!byMethod.isEmpty()) {
      Route here = concatAll(byMethod.values().stream()
          .map(endpoint -> {
            Supplier<Route> serve = serving(endpoint);
            return method(endpoint.method(), () -> RequestLabel.labelled(endpoint.template(), () -> around.apply(serve)));
          })
          .toList());
      branches.add(pathEnd(() -> here));
    }
    literals.forEach((literal, child) -> {
      Route below = child.route(around);
      branches.add(pathPrefix(literal, () -> below));
    });
    if (parameter != null) {
      Route below = parameter.route(around);
      branches.add(pathPrefix(segment(), value -> below));
    }
    return concatAll(branches);
  }

  /** The endpoint's route for a request; only an endpoint with parameters reads the request's path for them. */
  private static Supplier<Route> serving(Endpoint endpoint) {
    int[] positions = endpoint.parameterPositions();
    if (positions.length == 0) {
      return () -> endpoint.handler().apply(List.of());
    }
    return () -> extractUri(uri -> endpoint.handler().apply(Endpoint.valuesAt(uri, positions)));
  }

  private static Route concatAll(List<Route> routes) {
    return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }
}
