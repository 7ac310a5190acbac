package com.flashsale.order;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.account.Principal;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Fields;
import com.flashsale.http.InFlightLimit;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.http.Paging;
import com.flashsale.http.Problem;
import com.flashsale.http.ProblemHandlers;
import com.flashsale.ops.Metrics;
import com.flashsale.http.Routes;
import com.flashsale.sale.LiveSales;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.SaleClient;
import com.flashsale.sale.SaleCommand;
import com.flashsale.sale.SaleReply;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.OrderStatus;
import com.flashsale.waitingroom.Tickets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Buying and orders: a purchase holds units, then the buyer pays, cancels or reads the order. Every order
 * answer comes from the sale entity that owns it (the order id names it), so a buyer can pay, cancel or read
 * an order on any node right after the purchase answered. A purchase the node's live view shows cannot
 * succeed (not started, ended, cancelled, sold out with no hold to come back) is rejected at once.
 */
public final class OrderRoutes {

  private final SaleClient sales;
  private final OrderHistory readModel;
  private final Checkout checkout;
  private final Auth auth;
  private final JsonBody json;
  private final LiveSales live;
  private final Metrics metrics;
  private final InFlightLimit purchasesInFlight;
  private final Clock clock;
  private final Tickets passes;

  /** @param passes checks the admission pass a purchase shows for a sale with a waiting room */
  public OrderRoutes(SaleClient sales, OrderHistory readModel, Checkout checkout, Auth auth, JsonBody json,
      LiveSales live, Metrics metrics, InFlightLimit purchasesInFlight, Clock clock, Tickets passes) {
    this.clock = clock;
    this.passes = passes;
    this.purchasesInFlight = purchasesInFlight;
    this.sales = sales;
    this.readModel = readModel;
    this.checkout = checkout;
    this.auth = auth;
    this.json = json;
    this.live = live;
    this.metrics = metrics;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post("/api/sales/{id}/purchase", saleId -> Routes.withUuid(saleId, "sale", id ->
            auth.authenticated(buyer -> optionalHeaderValueByName("Idempotency-Key", key ->
                optionalHeaderValueByName("Admission-Pass", pass ->
                    json.optionalObject(body -> purchase(id, buyer, key, pass, body))))))),
        Endpoint.get("/api/orders", () -> auth.authenticated(caller ->
            Paging.paged((limit, after) -> myOrders(caller, limit, after)))),
        Endpoint.get("/api/orders/{id}", id -> callersOrder(id, this::getOrder)),
        Endpoint.delete("/api/orders/{id}", id -> callersOrder(id, this::cancel)),
        Endpoint.post("/api/orders/{id}/pay", id -> callersOrder(id, (orderId, caller) ->
            json.object(body -> pay(orderId, caller, body)))));
  }

  /** A request about the order the path names: the caller is checked first, then the id. */
  private Route callersOrder(String text, BiFunction<OrderId, Principal, Route> inner) {
    return auth.authenticated(caller -> OrderId.parse(text).map(id -> inner.apply(id, caller))
        .orElseGet(() -> complete(Problem.response(ErrorCode.VALIDATION, "Malformed order id"))));
  }

  private Route purchase(UUID saleId, Principal buyer, Optional<String> idempotencyKey, Optional<String> pass,
      Fields body) {
    Integer quantity = body.optionalInteger("quantity", 1, Integer.MAX_VALUE, 1);
    String key = body.idempotencyKey(idempotencyKey);
    body.validate();
    boolean admitted = pass.isPresent() && passes.admits(pass.get(), buyer.userId(), saleId);
    // docs/architecture.md rule 4: answer without crossing the cluster when no unit can come back. A request with
    // an Idempotency-Key may be a retry that must get its order back (rule 6), so only the entity answers it.
    Optional<SaleReply.Rejected> atEdge = idempotencyKey.isPresent() ? Optional.empty()
        : live.rejectionAtEdge(saleId, admitted);
    if (atEdge.isPresent()) {
      metrics.recordPurchase(atEdge.get().code().name());
      return complete(Problem.constant(atEdge.get().code(), atEdge.get().detail()));
    }
    CompletionStage<Outcome<OrderDetails>> reserved = purchasesInFlight.run(() ->
            sales.order(saleId, replyTo -> new SaleCommand.Reserve(buyer.userId(), quantity, key, admitted, sales.deadline(), replyTo), OrderDetails.class))
        .whenComplete((outcome, failure) -> {
          if (outcome != null) {
            live.watchIfFound(saleId, outcome);
          }
          metrics.recordPurchase(purchaseOutcome(outcome, failure));
        });
    return Routes.completeAsync(reserved, details -> Json.response(details.created() ? StatusCodes.CREATED : StatusCodes.OK,
        OrderJson.of(details.order())));
  }

  /** The purchase meter's outcome: reserved, or the code the buyer is answered with. */
  private static String purchaseOutcome(Outcome<OrderDetails> outcome, Throwable failure) {
    if (failure != null) {
      return ProblemHandlers.toApiError(failure).code().name();
    }
    return outcome instanceof Outcome.Rejected<OrderDetails> rejected ? rejected.code().name() : Metrics.RESERVED;
  }

  private Route pay(OrderId id, Principal caller, Fields body) {
    String paymentToken = body.string("paymentToken", 1, 200);
    body.validate();
    return Routes.completeAsync(checkout.pay(id, caller.userId(), paymentToken), order -> Json.ok(OrderJson.of(order)));
  }

  private Route cancel(OrderId id, Principal caller) {
    return Routes.completeAsync(sales.order(id.saleId(),
            replyTo -> new SaleCommand.CancelOrder(id.orderNo(), caller.userId(), caller.isAdmin(), sales.deadline(),
                replyTo),
            OrderDetails.class),
        details -> Json.ok(OrderJson.of(details.order())));
  }

  /** From the sale entity; an order it no longer keeps (released) from the read model. */
  private Route getOrder(OrderId id, Principal caller) {
    CompletionStage<Outcome<OrderJson>> order = sales.ask(id.saleId(),
            replyTo -> new SaleCommand.GetOrder(id.orderNo(), caller.userId(), caller.isAdmin(), replyTo),
            OrderDetails.class)
        .thenCompose(outcome -> outcome instanceof Outcome.Rejected<OrderDetails> rejected
            && rejected.code() == ErrorCode.RESERVATION_EXPIRED
            ? readModel.order(id).thenApply(row -> row
                .map(json -> json.userId().equals(caller.userId()) || caller.isAdmin()
                    ? Outcome.ok(released(json))
                    : Outcome.<OrderJson>rejected(ErrorCode.FORBIDDEN, "This order belongs to another buyer"))
                .orElseGet(() -> Outcome.rejected(rejected.code(), rejected.detail())))
            : CompletableFuture.completedFuture(outcome.map(details -> OrderJson.of(details.order()))));
    return Routes.completeAsync(order, Json::ok);
  }

  /**
   * A released order as the read model has it, which may not show the release yet (it trails the entity by
   * under a second): a hold released before its expiry was cancelled, at or after it expired.
   */
  private OrderJson released(OrderJson row) {
    if (row.status() != OrderStatus.RESERVED) {
      return row;
    }
    return row.withStatus(clock.instant().isBefore(row.expiresAt()) ? OrderStatus.CANCELLED : OrderStatus.EXPIRED);
  }

  /** The caller's orders, newest first, from the read model (which trails the entities by under a second). */
  private Route myOrders(Principal caller, int limit, Optional<String> after) {
    if (after.isPresent() && OrderId.parse(after.get()).isEmpty()) {
      return complete(notACursor());
    }
    return Routes.completeAsync(readModel.ordersOfBuyer(caller.userId(), limit, after.orElse(null))
        .thenApply(page -> page.map(Json::ok).orElseGet(OrderRoutes::notACursor)));
  }

  private static HttpResponse notACursor() {
    return Problem.response(ErrorCode.VALIDATION, "after must be a cursor from a previous page of your orders");
  }
}
