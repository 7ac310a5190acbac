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
    assertOverloaded(refused);
    first.completeExceptionally(new IllegalStateException("failed work frees its slot too"));
    limit.run(CompletableFuture::new);
    assertRefused(limit);

    second.complete("done");
    assertThat(limit.run(() -> CompletableFuture.completedFuture("y")).toCompletableFuture().join()).isEqualTo("y");
    limit.run(CompletableFuture::new);
    assertRefused(limit);
  }

  private static void assertRefused(InFlightLimit limit) {
    assertOverloaded(limit.run(() -> CompletableFuture.completedFuture("z")).toCompletableFuture());
  }

  private static void assertOverloaded(CompletableFuture<?> answer) {
    assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
  }
}
