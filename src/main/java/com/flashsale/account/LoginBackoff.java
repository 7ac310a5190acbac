package com.flashsale.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Failed logins per key (the node uses an account and the address the attempts come from): after
 * {@code freeFailures} wrong passwords in a row, each further attempt waits a doubling time (1 s, 2 s, 4 s ... at
 * most {@code maxWait}) from the last failure, so guessing a password gets slow. A successful login clears it.
 * Per node, in a bounded cache (an evicted key starts afresh).
 */
public final class LoginBackoff {

  private record Failures(int count, Instant last) {}

  private final int freeFailures;
  private final Duration maxWait;
  private final Clock clock;
  private final Cache<String, Failures> failures;

  public LoginBackoff(int freeFailures, Duration maxWait, long maxAccounts, Clock clock) {
    this.freeFailures = freeFailures;
    this.maxWait = maxWait;
    this.clock = clock;
    this.failures = Caffeine.newBuilder().maximumSize(maxAccounts).expireAfterWrite(maxWait.multipliedBy(2)).build();
  }

  /** No backoff (rate limits off: benchmarks, most tests). */
  public static LoginBackoff off(Clock clock) {
    return new LoginBackoff(Integer.MAX_VALUE, Duration.ofSeconds(1), 1, clock);
  }

  /** How long a login of {@code account} must still wait, if it must. */
  public Optional<Duration> waitBefore(String account) {
    Failures recorded = failures.getIfPresent(account);
    if (recorded == null || recorded.count() < freeFailures) {
      return Optional.empty();
    }
    Duration wait = waitAfter(recorded.count());
    Duration left = Duration.between(clock.instant(), recorded.last().plus(wait));
    return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
  }

  private Duration waitAfter(int count) {
    int doublings = Math.min(30, count - freeFailures);
    Duration wait = Duration.ofSeconds(1L << doublings);
    return wait.compareTo(maxWait) > 0 ? maxWait : wait;
  }

  public void failed(String account) {
    failures.asMap().merge(account, new Failures(1, clock.instant()),
        (before, now) -> new Failures(before.count() + 1, now.last()));
  }

  public void succeeded(String account) {
    failures.invalidate(account);
  }
}
