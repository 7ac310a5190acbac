package com.flashsale.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Retries an assertion until it holds or time runs out, for outcomes the system reaches on its own
 * (a hold released by the entity's sweep). Waits between tries with {@link LockSupport#parkNanos}, and
 * rethrows the last failure when the time is up, so a failing test says what never became true.
 */
public final class Eventually {

  private static final Duration PAUSE = Duration.ofMillis(50);

  private Eventually() {}

  public static void eventually(Duration within, Runnable assertion) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError notYet) {
        if (System.nanoTime() - deadline >= 0) {
          throw notYet;
        }
        LockSupport.parkNanos(PAUSE.toNanos());
      }
    }
  }
}
