package com.flashsale.order;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.parameterOptional;

import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Json;
import com.flashsale.http.Paging;
import com.flashsale.http.Problem;
import com.flashsale.http.Routes;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.OrderStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A sale's orders for the admin, filtered by {@code status} and keyset-paginated ({@code limit}, {@code after}). */
public final class AdminOrderRoutes {

  private final OrderHistory readModel;
  private final Auth auth;

  public AdminOrderRoutes(OrderHistory readModel, Auth auth) {
    this.readModel = readModel;
    this.auth = auth;
  }

  public List<Endpoint> endpoints() {
    return List.of(Endpoint.get("/api/admin/sales/{id}/orders", saleId ->
        auth.admin(admin -> Routes.withUuid(saleId, "sale", id -> parameterOptional("status", status ->
            Paging.paged((limit, after) -> orders(id, status, limit, after)))))));
  }

  private Route orders(UUID saleId, Optional<String> statusText, int limit, Optional<String> after) {
    Optional<OrderStatus> status = statusText.flatMap(AdminOrderRoutes::parseStatus);
    if (statusText.isPresent() && status.isEmpty()) {
      return complete(Problem.response(ErrorCode.VALIDATION,
          "status must be one of " + Arrays.toString(OrderStatus.values())));
    }
    Optional<OrderId> cursor = after.flatMap(OrderId::parse);
    if (after.isPresent() && (cursor.isEmpty() || !cursor.get().saleId().equals(saleId))) {
      return complete(Problem.response(ErrorCode.VALIDATION, "after must be a cursor from a previous page"));
    }
    return Routes.completeAsync(readModel.ordersOfSale(saleId, status.orElse(null), limit, cursor.orElse(null))
        .thenApply(Json::ok));
  }

  private static Optional<OrderStatus> parseStatus(String text) {
    return Arrays.stream(OrderStatus.values()).filter(s -> s.name().equalsIgnoreCase(text)).findFirst();
  }
}
