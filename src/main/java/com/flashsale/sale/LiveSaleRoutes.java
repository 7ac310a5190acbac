package com.flashsale.sale;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.completeOK;
import static akka.http.javadsl.server.Directives.mapResponse;
import static akka.http.javadsl.server.Directives.respondWithHeader;

import akka.NotUsed;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.flashsale.ErrorCode;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Json;
import com.flashsale.http.Problem;
import com.flashsale.http.RateLimits;
import com.flashsale.http.Routes;
import com.flashsale.http.StreamSlots;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A sale's availability as server-sent events, from this node's live view (never from the entity once
 * the view serves the sale, so a stream does not notice the entity moving between nodes). Event
 * {@code sale} with {@code {available, status}}: the current state at once, then each change, coalesced;
 * a {@code : heartbeat} comment keeps an idle stream open through proxies. Each stream holds a connection for
 * as long as its client watches, so streams are bounded per node and per client ({@link StreamSlots}); over
 * the bound, 503 OVERLOADED with {@code Retry-After}.
 */
public final class LiveSaleRoutes {

  /** What a stream says about a sale; a new event only when this changes. */
  record Availability(int available, SaleStatus status) {

    static Availability of(SaleView sale) {
      return new Availability(sale.available(), sale.status());
    }
  }

  static final String EVENT = "sale";
  private static final ByteString HEARTBEAT = ByteString.fromString(": heartbeat\n\n");

  private final LiveSales live;
  private final Duration heartbeat;
  private final RateLimits clients;
  private final StreamSlots slots;

  public LiveSaleRoutes(LiveSales live, Duration heartbeat, RateLimits clients, StreamSlots slots) {
    this.live = live;
    this.heartbeat = heartbeat;
    this.clients = clients;
    this.slots = slots;
  }

  public List<Endpoint> endpoints() {
    return List.of(Endpoint.get("/api/sales/{id}/events", id -> Routes.withUuid(id, "sale", this::events)));
  }

  private Route events(UUID saleId) {
    return Routes.onOutcome(live.current(saleId), current -> stream(saleId, current));
  }

  private Route stream(UUID saleId, SaleView current) {
    return clients.withClientAddress(client -> slots.take(client)
        .map(slot -> stream(saleId, current, slot))
        .orElseGet(() -> complete(Problem.response(ErrorCode.OVERLOADED,
            "Too many event streams are open here; retry shortly"))));
  }

  private Route stream(UUID saleId, SaleView current, StreamSlots.Slot slot) {
    Source<ServerSentEvent, NotUsed> events = live.follow(saleId, current)
        .map(Availability::of)
        .via(changesOnly())
        .map(availability -> ServerSentEvent.create(new String(Json.bytes(availability), StandardCharsets.UTF_8), EVENT))
        .watchTermination((notUsed, ended) -> {
          ended.whenComplete((done, failure) -> slot.release());
          return notUsed;
        });
    return respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () ->
        mapResponse(this::withHeartbeat, () -> completeOK(events, EventStreamMarshalling.toEventStream())));
  }

  /**
   * Akka's own heartbeat is an empty {@code data:} event; the contract's is a comment line, added to the
   * encoded stream whenever it has been idle for {@code heartbeat}.
   */
  private HttpResponse withHeartbeat(HttpResponse response) {
    return response.withEntity(HttpEntities.create(response.entity().getContentType(),
        response.entity().getDataBytes().keepAlive(heartbeat, () -> HEARTBEAT)));
  }

  private static <T> Flow<T, T, NotUsed> changesOnly() {
    return Flow.<T>create().statefulMapConcat(() -> {
      Object[] last = {null};
      return next -> {
        if (next.equals(last[0])) {
          return List.of();
        }
        last[0] = next;
        return List.of(next);
      };
    });
  }
}
