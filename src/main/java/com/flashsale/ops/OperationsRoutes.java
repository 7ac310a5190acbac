package com.flashsale.ops;

import static akka.http.javadsl.server.Directives.complete;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import com.flashsale.http.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The node's meters as Prometheus text, and the OpenAPI description of the API (read once from the
 * classpath). Both are public, like the health endpoints.
 */
public final class OperationsRoutes {

  public static final String OPENAPI_RESOURCE = "/openapi.yaml";

  static final ContentType.WithCharset PROMETHEUS_TEXT = ContentTypes.create(
      MediaTypes.customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), false), HttpCharsets.UTF_8);
  static final ContentType.WithCharset YAML = ContentTypes.create(
      MediaTypes.applicationWithOpenCharset("yaml", "yaml", "yml"), HttpCharsets.UTF_8);

  private final Metrics metrics;
  private final byte[] openApi;

  public OperationsRoutes(Metrics metrics) {
    this.metrics = metrics;
    this.openApi = openApiDocument();
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/metrics", () -> complete(HttpResponse.create().withEntity(PROMETHEUS_TEXT, metrics.scrape()))),
        Endpoint.get("/api/openapi.yaml", () -> complete(HttpResponse.create().withEntity(YAML, openApi))));
  }

  static byte[] openApiDocument() {
    try (InputStream in = OperationsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
