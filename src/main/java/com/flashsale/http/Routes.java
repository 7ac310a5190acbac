package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.onComplete;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Small helpers shared by the feature routes. */
public final class Routes {

  private static final Pattern UUID_FORMAT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Routes() {}

  /** Completes with the response, or with the problem its failure means. */
  public static Route completeAsync(CompletionStage<HttpResponse> response) {
    return onComplete(response, result -> result.isSuccess()
        ? complete(result.get())
        : complete(ProblemHandlers.problem(result.failed().get())));
  }

  /** Completes with {@code ok} of the outcome's value, with its rejection, or with the problem its failure means. */
  public static <T> Route completeAsync(CompletionStage<Outcome<T>> outcome, Function<T, HttpResponse> ok) {
    return onOutcome(outcome, value -> complete(ok.apply(value)));
  }

  /** Goes on with the outcome's value; completes with its rejection, or with the problem its failure means. */
  public static <T> Route onOutcome(CompletionStage<Outcome<T>> outcome, Function<T, Route> inner) {
    return onComplete(outcome, result -> {
      if (result.isFailure()) {
        return complete(ProblemHandlers.problem(result.failed().get()));
      }
      if (result.get() instanceof Outcome.Rejected<T> rejected) {
        return complete(Problem.response(rejected));
      }
      return inner.apply(((Outcome.Ok<T>) result.get()).value());
    });
  }

  public static Optional<UUID> parseUuid(String text) {
    return text != null && UUID_FORMAT.matcher(text).matches() ? Optional.of(UUID.fromString(text)) : Optional.empty();
  }

  /** A path id that must be a UUID: anything else is a 400 VALIDATION. */
  public static Route withUuid(String text, String what, Function<UUID, Route> inner) {
    return parseUuid(text).map(inner)
        .orElseGet(() -> complete(Problem.response(ErrorCode.VALIDATION, "Malformed " + what + " id")));
  }
}
