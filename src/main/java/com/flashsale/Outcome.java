package com.flashsale;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The answer of a domain service that may refuse: its result, or a rejection with the contract's error
 * code. A rejection is a value, not an exception, so the HTTP layer maps it to problem+json in one place
 * and only real failures (a bug, a database that does not answer) travel as exceptions.
 */
public sealed interface Outcome<T> {

  record Ok<T>(T value) implements Outcome<T> {}

  record Rejected<T>(ErrorCode code, String detail) implements Outcome<T> {}

  static <T> Outcome<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Outcome<T> rejected(ErrorCode code, String detail) {
    return new Rejected<>(code, detail);
  }

  /** The value turned into another, or the same rejection. */
  default <U> Outcome<U> map(Function<T, U> next) {
    return this instanceof Ok<T> ok ? new Ok<>(next.apply(ok.value())) : sameRejection();
  }

  /** Continues with the value (which may be refused in turn), or passes the rejection on. */
  default <U> CompletionStage<Outcome<U>> thenCompose(Function<T, CompletionStage<Outcome<U>>> next) {
    return this instanceof Ok<T> ok ? next.apply(ok.value()) : CompletableFuture.completedFuture(sameRejection());
  }

  private <U> Outcome<U> sameRejection() {
    Rejected<T> rejected = (Rejected<T>) this;
    return new Rejected<>(rejected.code(), rejected.detail());
  }
}
