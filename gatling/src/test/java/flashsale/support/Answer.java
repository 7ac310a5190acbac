package flashsale.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * What one HTTP exchange answered, read back from the session after {@link Calls#untilAnswered}.
 *
 * @param status the HTTP status, or {@link #NO_ANSWER} when the request got no response (refused, timed out)
 * @param code the problem's {@code code} for an error answer, else null
 * @param id the {@code id} of the JSON object answered (an order, a sale), else null
 * @param retryAfterSeconds the {@code Retry-After} header as seconds, or null
 * @param responseTimeMs Gatling's response time, or -1 with no answer
 * @param answeredAtMs wall-clock time the answer arrived (epoch millis)
 * @param body the parsed body (a missing node when empty or not JSON), for answers read beyond their id
 */
public record Answer(int status, String code, String id, Integer retryAfterSeconds, int responseTimeMs,
    long answeredAtMs, JsonNode body) {

  public static final int NO_ANSWER = -1;

  /** An answer whose body matters only for its code and id. */
  public Answer(int status, String code, String id, Integer retryAfterSeconds, int responseTimeMs, long answeredAtMs) {
    this(status, code, id, retryAfterSeconds, responseTimeMs, answeredAtMs, MissingNode.getInstance());
  }

  static Answer of(Integer status, String body, String retryAfter, Integer responseTimeMs) {
    JsonNode json = Json.read(body);
    return new Answer(status == null ? NO_ANSWER : status, Json.text(json, "code"), Json.text(json, "id"),
        seconds(retryAfter), responseTimeMs == null ? -1 : responseTimeMs, System.currentTimeMillis(), json);
  }

  /** When the request left (epoch millis). */
  public long sentAtMs() {
    return answeredAtMs - Math.max(0, responseTimeMs);
  }

  /**
   * Worth asking again: shed (503), throttled (429), no answer at all, or a sale not started yet (a buyer
   * refreshing the page a moment early). Everything else is the final word.
   */
  public boolean retryable() {
    return status == 429 || status == 503 || status == NO_ANSWER || (status == 409 && "NOT_STARTED".equals(code));
  }

  public boolean isOrder() {
    return (status == 200 || status == 201) && id != null;
  }

  private static Integer seconds(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Math.max(0, Integer.parseInt(header.trim()));
    } catch (NumberFormatException e) {
      return null; // an HTTP-date: we treat it as absent
    }
  }
}
