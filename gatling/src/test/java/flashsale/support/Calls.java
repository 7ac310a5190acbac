package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

/**
 * How every simulated client talks to the API: the shared HTTP protocol, and {@link #untilAnswered}, which
 * sends a request and, on 429/503 (or no answer), waits the {@code Retry-After} seconds and sends it again, a
 * bounded number of times ({@code -DmaxRetries}). Expected outcomes (409 SOLD_OUT, 410, 429, 503 …) pass the
 * request's status check, so Gatling counts as failed only what no client should ever see.
 */
public final class Calls {

  /** Session key of the last {@link Answer} of {@link #untilAnswered}. */
  public static final String LAST = "callLast";

  private static final String STATUS = "callStatus";
  private static final String BODY = "callBody";
  private static final String RETRY_AFTER = "callRetryAfter";
  private static final String RESPONSE_TIME = "callResponseTime";
  private static final String TRIES = "callTries";
  private static final String AGAIN = "callAgain";
  private static final String PAUSE_MS = "callPauseMs";

  private static final int MAX_RETRIES = Params.integer("maxRetries", 5);
  private static final int RETRY_JITTER_MS = Params.integer("retryJitterMs", 500);

  private Calls() {}

  /**
   * Keep-alive connections shared by all virtual users, spread over {@code -DbaseUrl}'s nodes, and no
   * warm-up request to an outside host. Gatling's shared pool is not bounded (its per-host cap applies
   * to per-user pools only): a buyer who finds no idle connection opens one. While the service keeps up
   * that stays a few dozen; once answers slow down every arriving buyer opens a socket, which on one
   * machine soon measures the client's own sockets (see README.md, "Measuring on one machine").
   */
  public static HttpProtocolBuilder protocol() {
    return http
        .baseUrls(Params.baseUrls())
        .shareConnections()
        .disableWarmUp()
        .disableCaching()
        .userAgentHeader("flashsale-gatling");
  }

  /**
   * Sends {@code request} until it gets a final answer (or {@code -DmaxRetries} retries are spent), calling
   * {@code onAnswer} on every answer, retried ones included. Afterwards the session holds the last
   * {@link Answer} under {@link #LAST}.
   *
   * @param expected the statuses that are legitimate outcomes here; anything else fails the request
   */
  public static ChainBuilder untilAnswered(HttpRequestActionBuilder request, List<Integer> expected,
      BiFunction<Session, Answer, Session> onAnswer) {
    HttpRequestActionBuilder checked = request.check(
        responseTimeInMillis().saveAs(RESPONSE_TIME),
        status().saveAs(STATUS),
        header("Retry-After").optional().saveAs(RETRY_AFTER),
        bodyString().saveAs(BODY),
        status().in(expected)); // last, so the saves above happen even when it fails
    return exec(session -> session.set(TRIES, 0).set(AGAIN, true))
        .asLongAs(session -> session.getBoolean(AGAIN)).on(
            exec(session -> session.removeAll(STATUS, BODY, RETRY_AFTER, RESPONSE_TIME))
                .exec(checked)
                .exec(session -> afterAnswer(session, onAnswer))
                .doIf(session -> session.getBoolean(AGAIN)).then(
                    pause(session -> Duration.ofMillis(session.getLong(PAUSE_MS)))));
  }

  /** {@link #untilAnswered} with nothing to record. */
  public static ChainBuilder untilAnswered(HttpRequestActionBuilder request, List<Integer> expected) {
    return untilAnswered(request, expected, (session, answer) -> session);
  }

  public static Answer last(Session session) {
    return session.get(LAST);
  }

  private static Session afterAnswer(Session session, BiFunction<Session, Answer, Session> onAnswer) {
    Answer answer = Answer.of(session.getIntegerWrapper(STATUS), session.getString(BODY),
        session.getString(RETRY_AFTER), session.getIntegerWrapper(RESPONSE_TIME));
    int tries = session.getInt(TRIES) + 1;
    Session next = onAnswer.apply(session.remove(BODY), answer).set(TRIES, tries).set(LAST, answer);
    if (answer.retryable() && tries <= MAX_RETRIES) {
      long waitMs = (answer.retryAfterSeconds() == null ? 1 : answer.retryAfterSeconds()) * 1000L
          + (RETRY_JITTER_MS > 0 ? ThreadLocalRandom.current().nextInt(RETRY_JITTER_MS + 1) : 0);
      return next.set(AGAIN, true).set(PAUSE_MS, waitMs);
    }
    return next.set(AGAIN, false);
  }
}
