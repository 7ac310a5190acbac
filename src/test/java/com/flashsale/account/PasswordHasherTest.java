package com.flashsale.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** bcrypt on a few threads of its own: what does not fit them and their queue is refused at once. */
class PasswordHasherTest {

  @Test
  void hashesAndChecksPasswords() {
    try (PasswordHasher hasher = new PasswordHasher(4, 1, 4)) {
      String hash = hasher.hash("correct-horse").toCompletableFuture().join();

      assertThat(hasher.matches("correct-horse", hash).toCompletableFuture().join()).isTrue();
      assertThat(hasher.matches("wrong-horse", hash).toCompletableFuture().join()).isFalse();
      assertThat(hasher.decoyCheck("correct-horse").toCompletableFuture().join()).isFalse();
    }
  }

  @Test
  void refusesWorkBeyondItsThreadsAndQueueAtOnce() {
    // Cost 14 takes about a second a hash here: the first is running, the second queued, when the third comes.
    try (PasswordHasher hasher = new PasswordHasher(14, 1, 1)) {
      CompletableFuture<String> running = hasher.hash("one").toCompletableFuture();
      CompletableFuture<String> queued = hasher.hash("two").toCompletableFuture();

      CompletableFuture<String> refused = hasher.hash("three").toCompletableFuture();

      assertThat(refused).isCompletedExceptionally();
      assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(PasswordHasher.Busy.class);
      assertThat(running).isNotDone();
      assertThat(queued).isNotDone();
    }
  }
}
