package com.flashsale.product;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathEnd;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.post;
import static akka.http.javadsl.server.Directives.put;
import static akka.http.javadsl.server.PathMatchers.segment;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.http.Auth;
import com.flashsale.http.Fields;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.http.Problem;
import com.flashsale.http.Routes;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code /api/products} (public) and {@code /api/admin/products} (admins). */
public final class ProductRoutes {

  private static final Pattern IMAGE_URL = Pattern.compile("(https?://|/)[^\\s\"'<>]*");

  private final Products products;
  private final Auth auth;
  private final JsonBody json;

  public ProductRoutes(Products products, Auth auth, JsonBody json) {
    this.products = products;
    this.auth = auth;
    this.json = json;
  }

  /** Routes under {@code /api}. */
  public Route routes() {
    return concat(
        pathPrefix("products", () -> concat(
            pathEnd(() -> get(() -> Routes.completeAsync(products.list()
                .thenApply(items -> Json.ok(Map.of("items", items)))))),
            path(segment(), id -> get(() -> Routes.withUuid(id, "product", this::getProduct))))),
        pathPrefix(segment("admin").slash("products"), () -> auth.admin(admin -> concat(
            pathEnd(() -> post(() -> json.object(this::create))),
            path(segment(), id -> put(() -> Routes.withUuid(id, "product",
                uuid -> json.object(body -> update(uuid, body)))))))));
  }

  private Route getProduct(UUID id) {
    return Routes.completeAsync(products.find(id).thenApply(found -> found.map(Json::ok)
        .orElseGet(() -> Problem.response(ErrorCode.NOT_FOUND, "No such product"))));
  }

  private record ProductInput(String name, String description, String imageUrl, BigDecimal price) {
    static ProductInput read(Fields body) {
      String name = body.string("name", 1, 200);
      String description = body.string("description", 0, 5000);
      String imageUrl = body.optionalString("imageUrl", 2000);
      if (imageUrl != null && !imageUrl.isEmpty() && !IMAGE_URL.matcher(imageUrl).matches()) {
        body.reject("imageUrl", "must be an http(s) URL or a path starting with /");
      }
      BigDecimal price = body.money("price");
      body.validate();
      return new ProductInput(name, description, imageUrl == null || imageUrl.isEmpty() ? null : imageUrl, price);
    }
  }

  private Route create(Fields body) {
    ProductInput in = ProductInput.read(body);
    return Routes.completeAsync(products.create(in.name(), in.description(), in.imageUrl(), in.price())
        .thenApply(product -> Json.response(StatusCodes.CREATED, product)));
  }

  private Route update(UUID id, Fields body) {
    ProductInput in = ProductInput.read(body);
    return Routes.completeAsync(products.update(id, in.name(), in.description(), in.imageUrl(), in.price())
        .thenApply(found -> found.map(Json::ok)
            .orElseGet(() -> Problem.response(ErrorCode.NOT_FOUND, "No such product"))));
  }
}
