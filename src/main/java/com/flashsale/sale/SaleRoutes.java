package com.flashsale.sale;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;
import static akka.http.javadsl.server.Directives.parameterOptional;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.account.Principal;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Fields;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.Page;
import com.flashsale.http.Paging;
import com.flashsale.http.Problem;
import com.flashsale.http.Routes;
import com.flashsale.product.Product;
import com.flashsale.product.Products;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Sales: the public reads and the admin's changes. A public read of one sale comes from this node's live
 * view ({@link LiveSales}), the admin's answers from the entity; lists come from the read model
 * ({@link SaleCatalog}). A sale id nobody created is answered 404 without starting an entity ({@link KnownSales}).
 */
public final class SaleRoutes {

  static final int MAX_PER_USER_LIMIT = 100;
  static final int MIN_HOLD_SECONDS = 10;
  static final int MAX_HOLD_SECONDS = 86_400;

  private final SaleClient sales;
  private final SaleCatalog catalog;
  private final Products products;
  private final Auth auth;
  private final JsonBody json;
  private final Clock clock;
  private final LiveSales live;
  private final SaleHistory history;

  public SaleRoutes(SaleClient sales, SaleCatalog catalog, Products products, Auth auth, JsonBody json, Clock clock,
      LiveSales live, SaleHistory history) {
    this.history = history;
    this.sales = sales;
    this.catalog = catalog;
    this.products = products;
    this.auth = auth;
    this.json = json;
    this.clock = clock;
    this.live = live;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/sales", () -> parameterOptional("status", status ->
            Paging.paged((limit, after) -> list(status, limit, after)))),
        Endpoint.get("/api/sales/{id}", id -> Routes.withUuid(id, "sale", this::getSale)),
        Endpoint.post("/api/admin/sales", () -> auth.admin(admin -> optionalHeaderValueByName("Idempotency-Key", key ->
            json.object(body -> create(admin, key, body))))),
        Endpoint.patch("/api/admin/sales/{id}", id -> adminOnSale(id, (admin, saleId) ->
            optionalHeaderValueByName("Idempotency-Key", key -> json.object(body -> change(admin, saleId, key, body))))),
        Endpoint.post("/api/admin/sales/{id}/cancel", id -> adminOnSale(id, this::cancel)),
        Endpoint.get("/api/admin/sales/{id}/stats", id -> adminOnSale(id, (admin, saleId) -> stats(saleId))),
        Endpoint.get("/api/admin/sales/{id}/history", id -> adminOnSale(id, (admin, saleId) ->
            Paging.paged((limit, after) -> history(saleId, limit, after)))));
  }

  /** The sale's events from its journal, oldest first; {@code after} is an event number from a previous page. */
  private Route history(UUID saleId, int limit, Optional<String> after) {
    Optional<Long> from = after.isEmpty() ? Optional.of(0L) : after.flatMap(SaleRoutes::eventNumber);
    if (from.isEmpty()) {
      return complete(Problem.response(ErrorCode.VALIDATION, "after must be an event number from a previous page"));
    }
    return Routes.completeAsync(history.of(saleId, from.get(), limit).thenApply(page ->
        page.items().isEmpty() && from.get() == 0
            ? Problem.response(ErrorCode.NOT_FOUND, "No such sale")
            : Json.ok(page)));
  }

  /** A journal event number: 0 up to one below the largest long (the page after it starts at it plus one). */
  private static Optional<Long> eventNumber(String text) {
    if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    try {
      long number = Long.parseLong(text);
      return number < Long.MAX_VALUE ? Optional.of(number) : Optional.empty();
    } catch (NumberFormatException tooLarge) {
      return Optional.empty();
    }
  }

  /** An admin's request about the sale the path names: the caller is checked first, then the id. */
  private Route adminOnSale(String id, BiFunction<Principal, UUID, Route> inner) {
    return auth.admin(admin -> Routes.withUuid(id, "sale", saleId -> inner.apply(admin, saleId)));
  }

  private Route list(Optional<String> status, int limit, Optional<String> after) {
    Optional<SaleCatalog.Filter> filter = status.flatMap(SaleCatalog.Filter::parse);
    if (status.isPresent() && filter.isEmpty()) {
      return complete(Problem.response(ErrorCode.VALIDATION, "status must be one of upcoming, live, ended"));
    }
    Optional<UUID> cursor = after.flatMap(Routes::parseUuid);
    if (after.isPresent() && cursor.isEmpty()) {
      return complete(Problem.response(ErrorCode.VALIDATION, "after must be a cursor from a previous page"));
    }
    CompletionStage<HttpResponse> response = catalog.list(filter.orElse(null), clock.instant(), limit, cursor.orElse(null))
        .thenCompose(page -> {
          List<CompletableFuture<SaleJson.Sale>> items = page.items().stream()
              .map(view -> withProduct(view).toCompletableFuture()).toList();
          return CompletableFuture.allOf(items.toArray(CompletableFuture[]::new)).thenApply(done ->
              Json.ok(new Page<>(items.stream().map(CompletableFuture::join).toList(), page.next())));
        });
    return Routes.completeAsync(response);
  }

  /** From this node's live view ({@code available} may trail the entity by a publication), else the entity. */
  private Route getSale(UUID id) {
    return Routes.completeAsync(live.current(id).thenCompose(this::withProduct), Json::ok);
  }

  private CompletionStage<SaleJson.Sale> withProduct(SaleView view) {
    return products.find(UUID.fromString(view.productId()))
        .thenApply(product -> SaleJson.of(view, product.orElse(null)));
  }

  /** The sale with its product, or the same rejection. */
  private CompletionStage<Outcome<SaleJson.Sale>> withProduct(Outcome<SaleView> sale) {
    return sale.thenCompose(view -> withProduct(view).thenApply(Outcome::ok));
  }

  /**
   * With an Idempotency-Key the new sale's id is derived from the admin and the key, so a retry reaches the
   * same sale entity, which answers the sale it created (or IDEMPOTENCY_MISMATCH for other terms).
   */
  private Route create(Principal admin, Optional<String> idempotencyKey, Fields body) {
    String productIdText = body.string("productId", 36, 36);
    Integer stock = body.integer("stock", 1, SaleDecisions.MAX_STOCK);
    BigDecimal price = body.optionalMoney("price");
    Instant startsAt = body.instant("startsAt");
    Instant endsAt = body.instant("endsAt");
    Integer perUserLimit = body.optionalInteger("perUserLimit", 1, MAX_PER_USER_LIMIT, 1);
    Integer holdSeconds = body.optionalInteger("holdSeconds", MIN_HOLD_SECONDS, MAX_HOLD_SECONDS, 300);
    Optional<UUID> productId = Routes.parseUuid(productIdText);
    if (productIdText != null && productId.isEmpty()) {
      body.reject("productId", "must be a product id");
    }
    if (startsAt != null && endsAt != null && !startsAt.isBefore(endsAt)) {
      body.reject("endsAt", "must be after startsAt");
    }
    if (endsAt != null && !endsAt.isAfter(clock.instant())) {
      body.reject("endsAt", "must be in the future");
    }
    if (stock != null && perUserLimit != null && perUserLimit > stock) {
      body.reject("perUserLimit", "must not exceed stock");
    }
    RoomTerms.RoomChange roomChange = roomChange(body);
    RoomTerms room = roomChange == null || startsAt == null ? null : roomChange.applyTo(null, startsAt);
    if (room != null && room.prequeueOpensAt().isAfter(startsAt)) {
      body.reject("waitingRoom.prequeueOpensAt", "must be at or before startsAt");
    }
    String key = body.idempotencyKey(idempotencyKey);
    body.validate();
    UUID saleId = key == null ? UUID.randomUUID()
        : UUID.nameUUIDFromBytes(("sale\n" + admin.userId() + "\n" + key).getBytes(StandardCharsets.UTF_8));
    CompletionStage<Outcome<SaleJson.Sale>> created = products.find(productId.get()).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Outcome.rejected(ErrorCode.NOT_FOUND, "No such product"));
      }
      Product product = found.get();
      BigDecimal salePrice = price != null ? price : new BigDecimal(product.price());
      SaleTerms terms = new SaleTerms(product.id(), salePrice, stock, startsAt, endsAt, perUserLimit, holdSeconds, room);
      return sales.create(saleId, terms, admin.userId()).thenApply(asked -> asked.map(details -> SaleJson.of(details.sale(), product)));
    });
    return Routes.completeAsync(created, sale -> Json.response(StatusCodes.CREATED, sale));
  }

  private Route change(Principal admin, UUID saleId, Optional<String> idempotencyKey, Fields body) {
    Instant startsAt = body.optionalInstant("startsAt");
    Instant endsAt = body.optionalInstant("endsAt");
    Integer addStock = body.optionalInteger("addStock", 1, SaleDecisions.MAX_STOCK, 0);
    RoomTerms.RoomChange room = roomChange(body);
    String key = body.idempotencyKey(idempotencyKey);
    body.validate();
    return Routes.completeAsync(sales.ask(saleId,
            replyTo -> new SaleCommand.ChangeSale(startsAt, endsAt, addStock, room, key, admin.userId(),
                sales.deadline(), replyTo),
            SaleDetails.class)
        .thenCompose(changed -> withProduct(changed.map(SaleDetails::sale))), Json::ok);
  }

  /**
   * The {@code waitingRoom} object of a create or change, or null when absent: its presence opens the room
   * (unless {@code enabled} is false), its other fields set the room's terms.
   */
  private static RoomTerms.RoomChange roomChange(Fields body) {
    Fields room = body.optionalObject("waitingRoom");
    if (room == null) {
      return null;
    }
    return new RoomTerms.RoomChange(room.optionalBoolean("enabled"), room.optionalInstant("prequeueOpensAt"),
        room.optionalInteger("difficulty", RoomTerms.MIN_DIFFICULTY, RoomTerms.MAX_DIFFICULTY, null),
        room.optionalInteger("admissionRate", 0, RoomTerms.MAX_ADMISSION_RATE, null), room.optionalBoolean("paused"));
  }

  private Route cancel(Principal admin, UUID saleId) {
    return Routes.completeAsync(sales.ask(saleId,
            replyTo -> new SaleCommand.CancelSale(admin.userId(), sales.deadline(), replyTo), SaleDetails.class)
        .thenCompose(cancelled -> withProduct(cancelled.map(SaleDetails::sale))), Json::ok);
  }

  private Route stats(UUID saleId) {
    return Routes.completeAsync(sales.ask(saleId, SaleCommand.Get::new, SaleDetails.class),
        details -> Json.ok(SaleJson.stats(details.sale(), details.room())));
  }
}
