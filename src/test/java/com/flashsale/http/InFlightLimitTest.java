package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The bound on work in flight: over it, work is not started and the caller gets OVERLOADED. */
class InFlightLimitTest {

  @Test
  void refusesWorkOverTheBoundUntilSomeFinishes() {
    InFlightLimit limit = new InFlightLimit(2);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    limit.run(() -> first);
    limit.run(() -> second);
    boolean[] started = {false};

    CompletableFuture<String> refused = limit.<String>run(() -> {
      started[0] = true;
      return CompletableFuture.completedFuture("x");
    }).toCompletableFuture();

    assertThat(started[0]).isFalse();
    assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
    first.completeExceptionally(new IllegalStateException("failed work frees its slot too"));
    assertThat(limit.inFlight()).isEqualTo(1);
    assertThat(limit.run(() -> CompletableFuture.completedFuture("y")).toCompletableFuture().join()).isEqualTo("y");
    second.complete("done");
    assertThat(limit.inFlight()).isZero();
  }
}
