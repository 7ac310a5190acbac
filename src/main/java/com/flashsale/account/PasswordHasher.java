package com.flashsale.account;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * bcrypt through a maintained library. Passwords over bcrypt's 72 bytes are pre-hashed (SHA-512)
 * rather than truncated. Slow by design, so it runs on threads of its own, a few, with a short queue: a
 * flood of logins or registrations takes those threads and no more (no database connection, no thread the
 * purchases need), and what does not fit is refused at once with {@link Busy}.
 */
public final class PasswordHasher implements AutoCloseable {

  /** The hashing threads and their queue are full: the caller should answer "retry shortly". */
  public static final class Busy extends RuntimeException {
    Busy() {
      super("Too many passwords are being checked", null, false, false);
    }
  }

  private final int cost;
  private final BCrypt.Hasher hasher;
  private final BCrypt.Verifyer verifyer;
  /** Verified against when the email is unknown, so both failures take the same time. */
  private final String decoy;
  private final ThreadPoolExecutor executor;

  /** {@code threads} hash at once; {@code maxQueued} more wait; beyond that, {@link Busy}. */
  public PasswordHasher(int cost, int threads, int maxQueued) {
    this.cost = cost;
    this.hasher = BCrypt.with(BCrypt.Version.VERSION_2A, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2A));
    this.verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2A));
    this.decoy = hashNow("decoy-password-never-matches");
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(maxQueued), runnable -> {
          Thread thread = new Thread(runnable, "flashsale-password-hashing");
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
  }

  public CompletionStage<String> hash(String password) {
    return run(() -> hashNow(password));
  }

  public CompletionStage<Boolean> matches(String password, String hash) {
    return run(() -> matchesNow(password, hash));
  }

  /** Spends the time of a real check, for an unknown email; always false. */
  public CompletionStage<Boolean> decoyCheck(String password) {
    return run(() -> {
      matchesNow(password, decoy);
      return false;
    });
  }

  private String hashNow(String password) {
    return hasher.hashToString(cost, password.toCharArray());
  }

  private boolean matchesNow(String password, String hash) {
    return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
  }

  private <T> CompletionStage<T> run(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, executor);
    } catch (RejectedExecutionException full) {
      return CompletableFuture.failedFuture(new Busy());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
