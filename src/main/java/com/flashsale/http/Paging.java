package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.parameterOptional;

import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import java.util.Optional;
import java.util.function.BiFunction;

/** The API's list paging: {@code limit} 1–500 (default 100) and an {@code after} cursor. */
public final class Paging {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 500;

  private Paging() {}

  /** Reads {@code limit} and {@code after}; a malformed limit is a 400 VALIDATION. */
  public static Route paged(BiFunction<Integer, Optional<String>, Route> inner) {
    return parameterOptional("limit", limitText -> parameterOptional("after", after -> {
      Optional<Integer> limit = limitText.map(Paging::parseLimit).orElse(Optional.of(DEFAULT_LIMIT));
      if (limit.isEmpty()) {
        return complete(Problem.response(ErrorCode.VALIDATION, "limit must be an integer from 1 to " + MAX_LIMIT));
      }
      return inner.apply(limit.get(), after);
    }));
  }

  private static Optional<Integer> parseLimit(String text) {
    try {
      int limit = Integer.parseInt(text);
      return limit >= 1 && limit <= MAX_LIMIT ? Optional.of(limit) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
