package com.flashsale.http;

import com.flashsale.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how much of one kind of work (purchases sent to the sale entities) this node has started and
 * not yet seen answered. Over the bound the work is not started: the caller gets 503 OVERLOADED with
 * {@code Retry-After}, and memory held by waiting requests stays bounded however large the crowd.
 */
public final class InFlightLimit {

  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();

  public InFlightLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("The in-flight bound must be at least 1");
    }
    this.max = max;
  }

  /** Starts {@code work} if under the bound, else fails with OVERLOADED at once. */
  public <T> CompletionStage<T> run(Supplier<CompletionStage<T>> work) {
    if (inFlight.incrementAndGet() > max) {
      inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(
          new ApiError(ErrorCode.OVERLOADED, "This node has " + max + " purchases in flight; retry shortly"));
    }
    try {
      return work.get().whenComplete((result, failure) -> inFlight.decrementAndGet());
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      throw e;
    }
  }
}
