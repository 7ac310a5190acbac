package com.flashsale.waitingroom;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.completeOK;
import static akka.http.javadsl.server.Directives.parameterOptional;
import static akka.http.javadsl.server.Directives.respondWithHeader;

import akka.NotUsed;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Source;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.account.Principal;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Fields;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.http.Problem;
import com.flashsale.http.RateLimits;
import com.flashsale.http.Routes;
import com.flashsale.http.StreamSlots;
import com.flashsale.sale.LiveSales;
import com.flashsale.sale.SaleStatus;
import com.flashsale.sale.SaleView;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A sale's waiting room over HTTP: a buyer asks for a proof-of-work challenge, joins with its solution and gets
 * a ticket, then checks in with the ticket until admitted, when the answer carries an admission pass
 * ({@code Admission-Pass} on the purchase). Everything here is answered by this node alone: the sale from the
 * live view, the room's progress from the {@link RoomBoard}, the ticket from its own signature.
 */
public final class WaitingRoomRoutes {

  private final LiveSales live;
  private final Tickets tickets;
  private final ProofOfWork proofOfWork;
  private final Auth auth;
  private final JsonBody json;
  private final RateLimits limits;
  private final StreamSlots slots;
  private final Clock clock;
  private final CheckIns checkIns;
  private final RoomBoard rooms;

  static final String EVENT = "queue";
  /** How often a stream looks at the room's phase. */
  private static final Duration STREAM_LOOK = Duration.ofMillis(200);

  /** @param slots bounds the open event streams, shared with the sale streams */
  public WaitingRoomRoutes(LiveSales live, RoomBoard board, Tickets tickets, ProofOfWork proofOfWork, Auth auth,
      JsonBody json, RateLimits limits, StreamSlots slots, Clock clock) {
    this.live = live;
    this.slots = slots;
    this.checkIns = new CheckIns(board, tickets, clock);
    this.rooms = board;
    this.tickets = tickets;
    this.proofOfWork = proofOfWork;
    this.auth = auth;
    this.json = json;
    this.limits = limits;
    this.clock = clock;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/sales/{id}/queue/challenge", id -> Routes.withUuid(id, "sale", saleId ->
            auth.authenticated(buyer -> withOpenRoom(saleId, sale -> challenge(buyer, sale))))),
        Endpoint.post("/api/sales/{id}/queue", id -> Routes.withUuid(id, "sale", saleId ->
            auth.authenticated(buyer -> limits.perJoin(buyer.userId(), () ->
                json.object(body -> join(saleId, buyer, body)))))),
        Endpoint.get("/api/sales/{id}/queue", id -> Routes.withUuid(id, "sale", saleId ->
            parameterOptional("ticket", ticket -> checkIn(saleId, ticket)))),
        Endpoint.get("/api/sales/{id}/queue/events", id -> Routes.withUuid(id, "sale", saleId ->
            parameterOptional("ticket", ticket -> events(saleId, ticket)))));
  }

  private Route challenge(Principal buyer, SaleView sale) {
    return complete(Json.ok(proofOfWork.issue(buyer.userId(), UUID.fromString(sale.id()), sale.room().difficulty())));
  }

  /**
   * Joining: with a ticket of the buyer's own that is still valid, the same place (a fresh copy of the ticket);
   * otherwise (no ticket, or one whose admission ran out unused) with a solved challenge, a new place: drawn if
   * the sale has not started, at the back if it has.
   */
  private Route join(UUID saleId, Principal buyer, Fields body) {
    String held = body.optionalString("ticket", 2_000);
    String challenge = body.optionalString("challenge", 2_000);
    String nonce = body.optionalString("nonce", 64);
    if (held == null && (challenge == null || nonce == null)) {
      body.reject("nonce", "a solved challenge (challenge and nonce) or a ticket is required");
    }
    body.validate();
    return withOpenRoom(saleId, sale -> {
      if (held != null && tickets.read(held, saleId) instanceof Tickets.Valid valid
          && valid.ticket().userId().equals(buyer.userId()) && !tickets.passRanOut(valid.ticket())) {
        return complete(Json.ok(checkIns.checkIn(valid.ticket(), sale).status()));
      }
      if (challenge == null || nonce == null) {
        return complete(Problem.response(ErrorCode.TICKET_EXPIRED,
            "This ticket is no longer valid; join again with a solved challenge"));
      }
      ProofOfWork.Verdict verdict = proofOfWork.verify(challenge, nonce, buyer.userId(), saleId);
      return switch (verdict) {
        case SOLVED -> {
          Instant now = clock.instant();
          Tickets.Ticket ticket = Tickets.Ticket.joining(buyer.userId(), saleId,
              tickets.rankOf(buyer.userId(), saleId, sale.startsAt(), now), now);
          yield complete(Json.response(StatusCodes.CREATED, checkIns.checkIn(ticket, sale).status()));
        }
        case NOT_YOURS -> complete(Problem.response(ErrorCode.FORBIDDEN, "This challenge was issued to another buyer or sale"));
        case EXPIRED -> complete(Problem.response(ErrorCode.VALIDATION, "The challenge expired; ask for a new one"));
        case TOO_EASY -> complete(Problem.response(ErrorCode.VALIDATION, "The nonce does not solve the challenge"));
        case MALFORMED -> complete(Problem.response(ErrorCode.VALIDATION,
            "challenge must be a challenge from this service and nonce 1 to 64 letters or digits"));
      };
    });
  }

  /** A check-in: the ticket is the credential (an EventSource or a poll needs no sign-in header). */
  private Route checkIn(UUID saleId, Optional<String> token) {
    return withTicket(saleId, token, ticket -> Routes.onOutcome(live.current(saleId),
        sale -> complete(Json.ok(checkIns.checkIn(ticket, sale).status()))));
  }

  private Route withTicket(UUID saleId, Optional<String> token, Function<Tickets.Ticket, Route> inner) {
    if (token.isEmpty()) {
      return complete(Problem.response(ErrorCode.VALIDATION, "ticket is required"));
    }
    Tickets.Read read = tickets.read(token.get(), saleId);
    if (read == Tickets.Invalid.EXPIRED) {
      return complete(Problem.response(ErrorCode.TICKET_EXPIRED,
          "This ticket was not checked in for too long and lost its place; join again"));
    }
    if (!(read instanceof Tickets.Valid valid)) {
      return complete(Problem.response(ErrorCode.VALIDATION, "ticket must be a ticket of this sale's waiting room"));
    }
    return inner.apply(valid.ticket());
  }

  /**
   * The check-ins as server-sent events: event {@code queue} with a QueueStatus at once, then whenever the last
   * answer asked for the next check-in or the room's phase changes (each one a check-in, so a connected buyer
   * keeps the place), until the answer is final (admitted, the pass ran out, sold out, closed, no room). Bounded
   * like the sale streams.
   */
  private Route events(UUID saleId, Optional<String> token) {
    return withTicket(saleId, token, first -> Routes.onOutcome(live.current(saleId), sale ->
        limits.withClientAddress(client -> slots.take(client)
            .map(slot -> stream(saleId, first, slot))
            .orElseGet(() -> complete(Problem.response(ErrorCode.OVERLOADED,
                "Too many event streams are open here; retry shortly"))))));
  }

  private Route stream(UUID saleId, Tickets.Ticket first, StreamSlots.Slot slot) {
    // The check-in interval the last answer asked for (the stream checks in for its buyer as a poller would).
    AtomicLong intervalNanos = new AtomicLong(0);
    Source<ServerSentEvent, NotUsed> events = Source.tick(Duration.ZERO, STREAM_LOOK, NotUsed.notUsed())
        .statefulMapConcat(() -> {
          long[] lastAt = {0};
          boolean[] opening = {true};
          Object[] lastPhase = {null};
          return tick -> {
            // A check-in at once, then when the last answer asked for it, and at once when the room's phase
            // changed (e.g. the stock is gone).
            long nowNanos = System.nanoTime();
            Object phase = rooms.latest(saleId).map(heard -> heard.update().phase()).orElse(null);
            boolean due = opening[0] || nowNanos - lastAt[0] >= intervalNanos.get()
                || !java.util.Objects.equals(phase, lastPhase[0]);
            if (!due) {
              return List.of();
            }
            lastAt[0] = nowNanos;
            opening[0] = false;
            lastPhase[0] = phase;
            return List.of(tick);
          };
        })
        .mapAsync(1, tick -> live.current(saleId).toCompletableFuture())
        .takeWhile(found -> found instanceof Outcome.Ok<SaleView>)
        .map(found -> ((Outcome.Ok<SaleView>) found).value())
        .statefulMapConcat(() -> {
          Tickets.Ticket[] ticket = {first};
          return sale -> {
            CheckIns.CheckedIn checkedIn = checkIns.checkIn(ticket[0], sale);
            ticket[0] = checkedIn.ticket();
            intervalNanos.set(Duration.ofSeconds(checkedIn.status().checkInAfterSeconds()).toNanos());
            return List.of(checkedIn.status());
          };
        })
        .takeWhile(status -> !status.state().isFinal(), true)
        .map(status -> ServerSentEvent.create(new String(Json.bytes(status), StandardCharsets.UTF_8), EVENT))
        .mapMaterializedValue(cancellable -> NotUsed.notUsed())
        .watchTermination((notUsed, ended) -> {
          ended.whenComplete((done, failure) -> slot.release());
          return notUsed;
        });
    return respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), () ->
        completeOK(events, EventStreamMarshalling.toEventStream()));
  }

  /** The sale, if its waiting room takes buyers now: it has one, the pre-queue is open and the sale not over. */
  private Route withOpenRoom(UUID saleId, Function<SaleView, Route> inner) {
    return Routes.onOutcome(live.current(saleId).thenCompose(found -> found.thenCompose(this::openRoom)), inner);
  }

  private java.util.concurrent.CompletionStage<Outcome<SaleView>> openRoom(SaleView sale) {
    Instant now = clock.instant();
    Outcome<SaleView> outcome;
    if (!sale.hasRoom()) {
      outcome = Outcome.rejected(ErrorCode.NOT_FOUND, "This sale has no waiting room: buy directly");
    } else if (sale.status() == SaleStatus.CANCELLED) {
      outcome = Outcome.rejected(ErrorCode.SALE_CANCELLED, "The sale was cancelled");
    } else if (!now.isBefore(sale.endsAt())) {
      outcome = Outcome.rejected(ErrorCode.SALE_ENDED, "The sale has ended");
    } else if (now.isBefore(sale.room().prequeueOpensAt())) {
      outcome = Outcome.rejected(ErrorCode.NOT_STARTED, "The waiting room opens at " + sale.room().prequeueOpensAt());
    } else {
      outcome = Outcome.ok(sale);
    }
    return java.util.concurrent.CompletableFuture.completedFuture(outcome);
  }
}
