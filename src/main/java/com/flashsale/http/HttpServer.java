package com.flashsale.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;
import static akka.http.javadsl.server.Directives.mapResponse;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.withRequestTimeoutResponse;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.ops.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Binds the node's HTTP port: the operations routes (health, metrics), the API under {@code /api}, then
 * the browser front end's files, every error as problem+json, every request timed. The binding is unbound on coordinated shutdown
 * after in-flight requests had time to finish.
 */
public final class HttpServer {

  private HttpServer() {}

  /**
   * {@code operations} are matched from the root, {@code apiRoutes} under {@code /api}, where every
   * request counts against its client IP's rate limit, and {@code site} (the front end's files) from the
   * root last; it matches only its own files' paths.
   */
  public static Route root(Metrics metrics, RateLimits limits, List<Route> operations, List<Route> apiRoutes,
      StaticRoutes site) {
    Route apiTree = concatAll(apiRoutes);
    Route api = pathPrefix("api", () -> limits.perClientIp(() -> apiTree));
    List<Route> all = new ArrayList<>(operations);
    all.add(api);
    all.add(site.routes());
    Route tree = concatAll(all);
    return timed(metrics, site, () -> withRequestTimeoutResponse(
        request -> Problem.response(ErrorCode.OVERLOADED, "The request timed out"),
        () -> handleExceptions(ProblemHandlers.exceptions(), () -> handleRejections(ProblemHandlers.rejections(),
            () -> tree))));
  }

  /**
   * Times each request until its response is ready (for a stream, until its headers are), labelled with
   * its route's template from {@link ApiRoutes} (or {@link StaticRoutes#METRICS_LABEL} for the front end's
   * files), so ids never become label values.
   */
  private static Route timed(Metrics metrics, StaticRoutes site, Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      String method = request.method().name();
      String path = request.getUri().path();
      String route = ApiRoutes.templateOf(method, path)
          .orElse(method.equals("GET") && site.serves(path) ? StaticRoutes.METRICS_LABEL : ApiRoutes.UNMATCHED);
      return mapResponse(response -> {
        metrics.recordRequest(method, route, response.status().intValue(), System.nanoTime() - start);
        return response;
      }, inner);
    });
  }

  private static Route concatAll(List<Route> routes) {
    return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Route route) {
    return Http.get(system).newServerAt(host, port).bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
