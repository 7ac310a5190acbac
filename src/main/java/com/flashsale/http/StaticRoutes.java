package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.conditional;
import static akka.http.javadsl.server.Directives.extractUnmatchedPath;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.reject;
import static akka.http.javadsl.server.Directives.respondWithHeaders;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import java.util.List;

/**
 * The browser front end ({@link StaticFiles}): the storefront at {@code /}, the admin console at
 * {@code /admin}, their scripts, styles and images at their paths under {@code app/}. GET only; a path
 * that is not one of the files known at start is rejected, so it ends as every unknown route does (404
 * NOT_FOUND problem+json). Every answer carries a strong ETag and {@code Cache-Control: no-cache}: browsers
 * keep the files but revalidate each use, and get 304 while the file has not changed (a new jar changes
 * the hash), so a deployment never leaves a tab with stale scripts.
 */
public final class StaticRoutes {

  /** The metrics label of every request this serves (a fixed set of paths, but one label is enough). */
  public static final String METRICS_LABEL = "static";

  /**
   * The pages load only this origin's scripts, styles and API; product images may come from any http(s)
   * address (docs/api.md allows an http(s) URL as a product's imageUrl).
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' https: http: data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private static final List<HttpHeader> COMMON = List.of(
      RawHeader.create("Cache-Control", "no-cache"),
      RawHeader.create("X-Content-Type-Options", "nosniff"));
  private static final List<HttpHeader> PAGE = List.of(
      RawHeader.create("Cache-Control", "no-cache"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      RawHeader.create("Referrer-Policy", "same-origin"));

  private final StaticFiles files;

  public StaticRoutes(StaticFiles files) {
    this.files = files;
  }

  /** Routes from the root. */
  public Route routes() {
    return extractUnmatchedPath(path -> files.find(path)
        .map(asset -> get(() -> RequestLabel.labelled(METRICS_LABEL, () ->
            respondWithHeaders(asset.isPage() ? PAGE : COMMON, () -> conditional(asset.etag(), () ->
                complete(HttpResponse.create().withEntity(asset.contentType(), asset.bytes())))))))
        .orElseGet(() -> reject()));
  }
}
