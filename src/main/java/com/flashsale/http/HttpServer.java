package com.flashsale.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.withRequestTimeoutResponse;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Binds the node's HTTP port: health, then the API under {@code /api}, every error as problem+json.
 * The binding is unbound on coordinated shutdown after in-flight requests had time to finish.
 */
public final class HttpServer {

  private HttpServer() {}

  public static Route root(Route health, List<Route> apiRoutes) {
    return withRequestTimeoutResponse(request -> Problem.response(ErrorCode.OVERLOADED, "The request timed out"),
        () -> handleExceptions(ProblemHandlers.exceptions(), () -> handleRejections(ProblemHandlers.rejections(),
            () -> concat(health, pathPrefix("api", () -> concat(apiRoutes.get(0),
                apiRoutes.subList(1, apiRoutes.size()).toArray(Route[]::new)))))));
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Route route) {
    return Http.get(system).newServerAt(host, port).bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
