package com.flashsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.account.TokenService;
import com.flashsale.testing.TestClock;
import com.flashsale.waitingroom.ProofOfWork.Challenge;
import com.flashsale.waitingroom.ProofOfWork.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProofOfWorkTest {

  private static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";
  private static final UUID SALE = UUID.randomUUID();

  private final TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final ProofOfWork pow = new ProofOfWork(SECRET, Duration.ofMinutes(5), clock);

  /** What the browser does: try nonces until the hash has enough zero bits. */
  private static String solve(Challenge challenge) {
    for (long n = 0; ; n++) {
      String nonce = Long.toString(n, 36);
      if (ProofOfWork.solves(challenge.token(), nonce, challenge.bits())) {
        return nonce;
      }
    }
  }

  @Test
  void aSolutionToTheBuyersOwnChallengeIsAccepted() {
    Challenge challenge = pow.issue("alice", SALE, 12);

    assertThat(pow.verify(challenge.token(), solve(challenge), "alice", SALE)).isEqualTo(Verdict.SOLVED);
    assertThat(challenge.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
  }

  @Test
  void aNonceThatDoesNotReachTheDifficultyIsRefused() {
    Challenge challenge = pow.issue("alice", SALE, 16);
    String easy = null;
    for (long n = 0; easy == null; n++) {
      String nonce = Long.toString(n, 36);
      if (!ProofOfWork.solves(challenge.token(), nonce, 16)) {
        easy = nonce;
      }
    }

    assertThat(pow.verify(challenge.token(), easy, "alice", SALE)).isEqualTo(Verdict.TOO_EASY);
  }

  @Test
  void aChallengeIsBoundToItsBuyerAndSale() {
    Challenge challenge = pow.issue("alice", SALE, 8);
    String nonce = solve(challenge);

    assertThat(pow.verify(challenge.token(), nonce, "bob", SALE)).isEqualTo(Verdict.NOT_YOURS);
    assertThat(pow.verify(challenge.token(), nonce, "alice", UUID.randomUUID())).isEqualTo(Verdict.NOT_YOURS);
  }

  @Test
  void aChallengeExpires() {
    Challenge challenge = pow.issue("alice", SALE, 8);
    String nonce = solve(challenge);
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));

    assertThat(pow.verify(challenge.token(), nonce, "alice", SALE)).isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void onlyThisServicesChallengesCount() {
    Challenge foreign = new ProofOfWork("another-secret-of-at-least-thirty-two-bytes", Duration.ofMinutes(5), clock)
        .issue("alice", SALE, 8);
    Challenge mine = pow.issue("alice", SALE, 8);
    String[] parts = mine.token().split("\\.");
    String lowered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "xx." + parts[2];
    String signInToken = new TokenService(SECRET, Duration.ofHours(1), clock).issue("alice", com.flashsale.account.Role.CUSTOMER);

    assertThat(pow.verify(foreign.token(), solve(foreign), "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify(lowered, "0", "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify(signInToken, "0", "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify("not-a-token", "0", "alice", SALE)).isEqualTo(Verdict.MALFORMED);
  }

  @Test
  void aChallengeIsNotASignInToken() {
    Challenge challenge = pow.issue("alice", SALE, 8);

    assertThat(new TokenService(SECRET, Duration.ofHours(1), clock).verify(challenge.token())).isEmpty();
  }

  @Test
  void noncesAreShortAlphanumericAndDifficultiesBounded() {
    Challenge challenge = pow.issue("alice", SALE, 1);

    assertThat(pow.verify(challenge.token(), "", "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify(challenge.token(), "a".repeat(65), "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify(challenge.token(), "ab:cd", "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThat(pow.verify(challenge.token(), null, "alice", SALE)).isEqualTo(Verdict.MALFORMED);
    assertThatThrownBy(() -> pow.issue("alice", SALE, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pow.issue("alice", SALE, 31)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void countsLeadingZeroBits() {
    assertThat(ProofOfWork.leadingZeroBits(new byte[] {(byte) 0x80, 0})).isZero();
    assertThat(ProofOfWork.leadingZeroBits(new byte[] {0x01, 0})).isEqualTo(7);
    assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0x10})).isEqualTo(11);
    assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0})).isEqualTo(16);
  }
}
