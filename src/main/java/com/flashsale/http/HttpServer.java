package com.flashsale.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;
import static akka.http.javadsl.server.Directives.mapResponse;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.reject;
import static akka.http.javadsl.server.Directives.withRequestTimeoutResponse;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.ops.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Binds the node's HTTP port: the operations endpoints (health, metrics), the API's, then the browser front
 * end's files, every error as problem+json, every request timed. The binding is unbound on coordinated
 * shutdown after in-flight requests had time to finish.
 */
public final class HttpServer {

  private HttpServer() {}

  /**
   * The route tree of the endpoints: {@code operations} are public, every request to the API ({@code api},
   * and any other path under {@code /api}) counts against its client IP's rate limit, and {@code site} (the
   * front end's files) is matched last; it matches only its own files' paths.
   */
  public static Route root(Metrics metrics, RateLimits limits, List<Endpoint> operations, List<Endpoint> api,
      StaticRoutes site) {
    Route tree = concat(
        EndpointTree.of(operations, Supplier::get),
        EndpointTree.of(api, limits::perClientIp),
        // A path under /api that no endpoint serves counts against its client's rate all the same.
        pathPrefix("api", () -> limits.perClientIp(() -> reject())),
        site.routes());
    // Built once: a directive asks for its inner route per request, which must not build handlers each time.
    Route rejectionsHandled = handleRejections(ProblemHandlers.rejections(), () -> tree);
    Route handled = handleExceptions(ProblemHandlers.exceptions(), () -> rejectionsHandled);
    return timed(metrics, () -> withRequestTimeoutResponse(
        request -> Problem.constant(ErrorCode.OVERLOADED, "The request timed out"), () -> handled));
  }

  /**
   * Times each request until its response is ready (for a stream, until its headers are), labelled with
   * what served it ({@link RequestLabel}): an endpoint's template, so ids never become label values.
   */
  private static Route timed(Metrics metrics, Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      String method = request.method().name();
      RequestLabel label = new RequestLabel();
      return label.attach(() -> mapResponse(response -> {
        metrics.recordRequest(method, label.value(), response.status().intValue(), System.nanoTime() - start);
        return response;
      }, inner));
    });
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Route route) {
    return Http.get(system).newServerAt(host, port).bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
