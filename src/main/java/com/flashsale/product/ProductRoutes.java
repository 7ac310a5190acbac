package com.flashsale.product;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Fields;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.http.Problem;
import com.flashsale.http.Routes;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Products: public reads, and the admins' changes. */
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

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/products", () -> Routes.completeAsync(products.list()
            .thenApply(items -> Json.ok(Map.of("items", items))))),
        Endpoint.get("/api/products/{id}", id -> Routes.withUuid(id, "product", this::getProduct)),
        Endpoint.post("/api/admin/products", () -> auth.admin(admin -> json.object(this::create))),
        Endpoint.put("/api/admin/products/{id}", id -> auth.admin(admin -> Routes.withUuid(id, "product",
            uuid -> json.object(body -> update(uuid, body))))));
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
