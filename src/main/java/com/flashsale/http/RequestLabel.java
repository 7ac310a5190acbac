package com.flashsale.http;

import static akka.http.javadsl.server.Directives.mapRequest;
import static akka.http.javadsl.server.Directives.optionalAttribute;

import akka.http.javadsl.model.AttributeKey;
import akka.http.javadsl.server.Route;
import java.util.function.Supplier;

/**
 * The metrics label of one request: {@link #UNMATCHED} until what serves the request names it (an endpoint
 * its template, the front end {@link StaticRoutes#METRICS_LABEL}). The label travels down the route tree
 * as a request attribute and is read when the response is ready, so the router's own match labels the
 * request and the path is never matched a second time.
 */
public final class RequestLabel {

  /** The label of a request that nothing served. */
  public static final String UNMATCHED = "unmatched";

  private static final AttributeKey<RequestLabel> KEY = AttributeKey.create("flashsale-request-label",
      RequestLabel.class);

  private volatile String value = UNMATCHED;

  RequestLabel() {}

  /** The request {@code inner} routes carries this label, for whatever serves it to set. */
  Route attach(Supplier<Route> inner) {
    return mapRequest(request -> request.addAttribute(KEY, this), inner);
  }

  /** The request served by {@code inner} is labelled {@code label}. */
  static Route labelled(String label, Supplier<Route> inner) {
    return optionalAttribute(KEY, attached -> {
      attached.ifPresent(requestLabel -> requestLabel.value = label);
      return inner.get();
    });
  }

  String value() {
    return value;
  }
}
