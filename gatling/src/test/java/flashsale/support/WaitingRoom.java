package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A buyer's way through a sale's waiting room (docs/api.md, "Waiting room"): ask for the proof-of-work
 * challenge, solve it ({@link ProofOfWork}), join, then check in every {@code checkInAfterSeconds} the answers
 * ask for, each time with the fresh ticket the last answer gave, until a definite answer ({@link RoomLog#DEFINITE});
 * once ADMITTED, buy with the pass ({@link Buyer#purchaseWithPass}) and pay, cancel or walk away like any buyer.
 * Everything the room told the buyer goes to the {@link RoomLog}. Also the probes that try to buy without a valid
 * pass of their own.
 */
public final class WaitingRoom {

  private static final List<Integer> CHALLENGE_OUTCOMES = List.of(200, 409, 410, 429, 503);
  private static final List<Integer> JOIN_OUTCOMES = List.of(200, 201, 409, 410, 429, 503);
  private static final List<Integer> CHECK_IN_OUTCOMES = List.of(200, 410, 429, 503);
  private static final List<Integer> PROBE_OUTCOMES = List.of(403, 409, 429, 503);

  static final String CHALLENGE = "queue challenge";
  static final String JOIN = "queue join";
  static final String CHECK_IN = "queue check-in";

  private static final String PLACE = "roomPlace";
  private static final String TICKET = "roomTicket";
  private static final String TICKET_EXPIRES = "roomTicketExpiresMs";
  private static final String CHECK_IN_AFTER = "roomCheckInAfter";
  private static final String LATE = "roomLate";
  private static final String DONE = "roomDone";
  private static final String GIVE_UP_AT = "roomGiveUpAtMs";
  private static final String CHALLENGE_TOKEN = "roomChallenge";
  private static final String NONCE = "roomNonce";
  private static final String STOLEN_PASS = "roomStolenPass";
  private static final String PROBE_WAITED = "roomProbeWaited";
  /** How long a probe waits for the room's first admission, to borrow that buyer's pass. */
  private static final int PROBE_PATIENCE_SECONDS = 30;

  private final Ledger ledger;
  private final Buyer buyer;
  private final RoomLog log;
  /** A buyer still waiting this long after arriving gives up (and the audit counts them unanswered). */
  private final int maxWaitSeconds = Params.integer("maxWaitSeconds", 600);

  public WaitingRoom(Ledger ledger, Buyer buyer, RoomLog log) {
    this.ledger = ledger;
    this.buyer = buyer;
    this.log = log;
  }

  /**
   * A waiting-room buyer's whole visit to the sale {@code saleOf} names: join, wait, buy with the pass once
   * admitted, then pay, cancel or walk away; counted in the ledger while it lasts (the audit waits for it).
   */
  public ChainBuilder visit(Function<Session, String> saleOf) {
    return exec(ledger.enter())
        .exec(buyer.signIn())
        .exec(session -> session.set("saleId", saleOf.apply(session))
            .set(PLACE, log.enter(session.getString("buyerId")))
            .set(DONE, false)
            .set(GIVE_UP_AT, System.currentTimeMillis() + maxWaitSeconds * 1000L))
        .exec(join())
        .asLongAs(session -> !session.getBoolean(DONE)).on(checkIn())
        .doIf(session -> session.contains(Buyer.ADMISSION_PASS)).then(
            buyer.purchaseWithPass(session -> session.getString("saleId"))
                .exec(session -> {
                  place(session).purchased(Calls.last(session));
                  return session;
                })
                .exec(buyer.checkout()))
        .exec(ledger.leave());
  }

  /** The challenge, its solution, and the join with it; ends the visit on a refusal. */
  private ChainBuilder join() {
    return Calls.untilAnswered(http(CHALLENGE).get("/api/sales/#{saleId}/queue/challenge")
            .header("Authorization", "Bearer #{token}").asJson(), CHALLENGE_OUTCOMES, record(CHALLENGE))
        .exec(this::solve)
        .doIf(session -> !session.getBoolean(DONE)).then(
            Calls.untilAnswered(http(JOIN).post("/api/sales/#{saleId}/queue")
                    .header("Authorization", "Bearer #{token}")
                    .body(StringBody(session -> Json.write(Map.of(
                        "challenge", session.getString(CHALLENGE_TOKEN), "nonce", session.getString(NONCE)))))
                    .asJson(), JOIN_OUTCOMES, record(JOIN))
                .exec(this::afterRoomAnswer))
        .exec(session -> {
          log.joinAnswered();
          return session;
        });
  }

  /** After {@code checkInAfterSeconds}, one check-in with the latest ticket (no sign-in: the ticket is the credential). */
  private ChainBuilder checkIn() {
    return pause(session -> Duration.ofSeconds(session.getInt(CHECK_IN_AFTER)))
        .exec(session -> {
          long marginMs = session.getLong(TICKET_EXPIRES) - System.currentTimeMillis();
          place(session).checkIn(marginMs);
          return session.set(LATE, marginMs <= 0);
        })
        .exec(Calls.untilAnswered(http(CHECK_IN).get("/api/sales/#{saleId}/queue").queryParam("ticket", "#{" + TICKET + "}")
            .asJson(), CHECK_IN_OUTCOMES, record(CHECK_IN)))
        .exec(this::afterRoomAnswer);
  }

  private Session solve(Session session) {
    Answer answer = Calls.last(session);
    if (answer.status() != 200) {
      return finish(session, refusal(answer, session));
    }
    String token = Json.text(answer.body(), "token");
    int bits = answer.body().path("bits").asInt(-1);
    if (token == null || bits < 0) {
      return finish(session, "challenge without token or bits");
    }
    return session.set(CHALLENGE_TOKEN, token).set(NONCE, ProofOfWork.solve(token, bits));
  }

  /** A QueueStatus (the join's or a check-in's): record it, keep its ticket, and end the wait on a definite state. */
  private Session afterRoomAnswer(Session session) {
    Answer answer = Calls.last(session);
    JsonNode body = answer.body();
    String ticket = Json.text(body, "ticket");
    String state = Json.text(body, "state");
    if ((answer.status() != 200 && answer.status() != 201) || ticket == null || state == null) {
      if ("TICKET_EXPIRED".equals(answer.code())) {
        place(session).ticketExpired();
      }
      return finish(session, refusal(answer, session));
    }
    JsonNode claims = claims(ticket);
    JsonNode admitted = claims.path("admitted");
    JsonNode eta = body.path("etaSeconds");
    place(session).answered(state, claims.path("rank").asLong(-1), claims.path("joined").asLong(-1),
        claims.path("seen").asLong(answer.answeredAtMs()), admitted.isNumber() ? admitted.asLong() : null,
        eta.isNumber() ? eta.asLong() : null);
    Session next = session.set(TICKET, ticket)
        .set(TICKET_EXPIRES, epochMillis(Json.text(body, "ticketExpiresAt"), answer.answeredAtMs()))
        .set(CHECK_IN_AFTER, Math.max(1, body.path("checkInAfterSeconds").asInt(1)));
    if ("ADMITTED".equals(state)) {
      String pass = Json.text(body, "pass");
      if (pass == null) {
        return finish(next, "ADMITTED without a pass");
      }
      log.passGiven(pass);
      return finish(next.set(Buyer.ADMISSION_PASS, pass), state);
    }
    if (RoomLog.DEFINITE.contains(state)) {
      return finish(next, state);
    }
    if ("OPEN".equals(state)) {
      return finish(next, "OPEN (the sale lost its waiting room)");
    }
    if (System.currentTimeMillis() >= session.getLong(GIVE_UP_AT)) {
      return finish(next, "still " + state + " after " + maxWaitSeconds + " s (-DmaxWaitSeconds)");
    }
    return next;
  }

  /** What a refused room request means for the buyer: CLOSED for a sale over, else the failure itself. */
  private static String refusal(Answer answer, Session session) {
    if (answer.status() == 410 && ("SALE_ENDED".equals(answer.code()) || "SALE_CANCELLED".equals(answer.code()))) {
      return "CLOSED";
    }
    if (answer.status() == Answer.NO_ANSWER) {
      return "no answer";
    }
    String text = answer.status() + " " + (answer.code() == null ? "" : answer.code());
    if (answer.retryable()) {
      text += " (retries spent)";
    }
    if ("TICKET_EXPIRED".equals(answer.code()) && session.contains(LATE) && session.getBoolean(LATE)) {
      text += " (the client checked in late)";
    }
    return text;
  }

  private static Session finish(Session session, String outcome) {
    place(session).end(outcome);
    return session.set(DONE, true);
  }

  private static RoomLog.Place place(Session session) {
    return session.get(PLACE);
  }

  /** Counts every answer of {@code request} (retries included) in the log. */
  private BiFunction<Session, Answer, Session> record(String request) {
    return (session, answer) -> {
      log.answered(request, answer);
      return session;
    };
  }

  /** The claims of a ticket (a JWT: the base64url middle part), or a missing node. */
  static JsonNode claims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return Json.read(null);
    }
    try {
      return Json.read(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return Json.read(null);
    }
  }

  private static long epochMillis(String instant, long fallback) {
    if (instant == null) {
      return fallback;
    }
    try {
      return Instant.parse(instant).toEpochMilli();
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }

  /**
   * A buyer who never joined tries to buy anyway: without a pass (with and without an Idempotency-Key, which
   * takes the purchase past the node's edge to the sale entity), showing their bearer token as the pass, and,
   * once the room admitted someone, with that buyer's pass. Each answer goes to {@link RoomLog#passless}; the
   * audit requires {@code 403 NOT_ADMITTED} (or {@code 409 SOLD_OUT}) for all.
   */
  public ChainBuilder probeWithoutPass(Function<Session, String> saleOf) {
    return exec(ledger.enter())
        .exec(buyer.signIn())
        .exec(session -> session.set("saleId", saleOf.apply(session)).set(PROBE_WAITED, 0))
        .exec(probe("purchase without pass", request -> request))
        .exec(probe("purchase without pass, keyed", request -> request.header("Idempotency-Key", "#{idempotencyKey}")))
        .exec(probe("purchase with a bearer token as pass", request -> request.header("Admission-Pass", "#{token}")
            .header("Idempotency-Key", "#{idempotencyKey}")))
        .asLongAs(session -> log.someonesPass() == null && session.getInt(PROBE_WAITED) < PROBE_PATIENCE_SECONDS).on(
            pause(Duration.ofSeconds(1)).exec(session -> session.set(PROBE_WAITED, session.getInt(PROBE_WAITED) + 1)))
        .doIf(session -> log.someonesPass() != null).then(
            exec(session -> session.set(STOLEN_PASS, log.someonesPass()))
                .exec(probe("purchase with another buyer's pass", request -> request
                    .header("Admission-Pass", "#{" + STOLEN_PASS + "}")))
                .exec(probe("purchase with another buyer's pass, keyed", request -> request
                    .header("Admission-Pass", "#{" + STOLEN_PASS + "}").header("Idempotency-Key", "#{idempotencyKey}"))))
        .exec(ledger.leave());
  }

  private ChainBuilder probe(String name, UnaryOperator<HttpRequestActionBuilder> shape) {
    HttpRequestActionBuilder request = http(name).post("/api/sales/#{saleId}/purchase")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody("{\"quantity\":1}")).asJson();
    return Calls.untilAnswered(shape.apply(request), PROBE_OUTCOMES, record(name))
        .exec(session -> {
          log.passless(name, Calls.last(session));
          return session;
        });
  }
}
