package com.flashsale.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Wrong passwords for one account slow its next logins down, doubling, until one succeeds. */
class LoginBackoffTest {

  private final TestClock clock = TestClock.atNow();
  private final LoginBackoff backoff = new LoginBackoff(3, Duration.ofSeconds(10), 1_000, clock);

  @Test
  void freeFailuresCostNothingThenEachFailureDoublesTheWaitUpToTheMaximum() {
    for (int i = 0; i < 3; i++) {
      assertThat(backoff.waitBefore("ann@example.com")).isEmpty();
      backoff.failed("ann@example.com");
    }
    assertThat(backoff.waitBefore("ann@example.com")).contains(Duration.ofSeconds(1));
    assertThat(backoff.waitBefore("bob@example.com")).as("another account").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    assertThat(backoff.waitBefore("ann@example.com")).isEmpty();
    backoff.failed("ann@example.com");
    assertThat(backoff.waitBefore("ann@example.com")).contains(Duration.ofSeconds(2));
    clock.advance(Duration.ofMillis(1_500));
    assertThat(backoff.waitBefore("ann@example.com")).contains(Duration.ofMillis(500));

    for (int i = 0; i < 10; i++) {
      backoff.failed("ann@example.com");
    }
    assertThat(backoff.waitBefore("ann@example.com")).contains(Duration.ofSeconds(10));
  }

  @Test
  void aSuccessfulLoginClearsTheFailures() {
    for (int i = 0; i < 4; i++) {
      backoff.failed("ann@example.com");
    }
    assertThat(backoff.waitBefore("ann@example.com")).isPresent();

    backoff.succeeded("ann@example.com");

    assertThat(backoff.waitBefore("ann@example.com")).isEmpty();
  }

  @Test
  void offNeverWaits() {
    LoginBackoff off = LoginBackoff.off(clock);
    for (int i = 0; i < 100; i++) {
      off.failed("ann@example.com");
    }
    assertThat(off.waitBefore("ann@example.com")).isEmpty();
  }
}
