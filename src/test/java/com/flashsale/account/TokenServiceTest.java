package com.flashsale.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import com.flashsale.testing.TestClock;
import org.junit.jupiter.api.Test;

/** The token rules on their own; {@code HostileInputTest} sends the same attacks through every endpoint. */
class TokenServiceTest {

  private static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes";
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  private static TokenService at(Instant now) {
    return new TokenService(SECRET, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aTokenNamesItsUserAndRoleUntilItExpires() {
    String token = at(NOW).issue("user-1", Role.ADMIN);

    assertThat(at(NOW.plusSeconds(3599)).verify(token)).contains(new Principal("user-1", Role.ADMIN));
    assertThat(at(NOW.plusSeconds(3600)).verify(token)).isEmpty();
  }

  @Test
  void aRememberedTokenIsStillRefusedOnceItExpires() {
    TestClock clock = new TestClock(NOW);
    TokenService tokens = new TokenService(SECRET, Duration.ofHours(1), clock);
    String token = tokens.issue("user-1", Role.CUSTOMER);

    assertThat(tokens.verify(token)).contains(new Principal("user-1", Role.CUSTOMER));
    clock.advance(Duration.ofSeconds(3599));
    assertThat(tokens.verify(token)).as("remembered, still valid").contains(new Principal("user-1", Role.CUSTOMER));
    clock.advance(Duration.ofSeconds(1));
    assertThat(tokens.verify(token)).as("remembered, expired").isEmpty();
  }

  @Test
  void aForgedTokenIsRefusedEvenAfterTheGenuineOneWasRemembered() {
    TokenService tokens = at(NOW);
    String genuine = tokens.issue("user-1", Role.CUSTOMER);
    String[] parts = genuine.split("\\.");
    String admin = Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("customer", "admin")
            .getBytes(StandardCharsets.UTF_8));

    assertThat(tokens.verify(genuine)).isPresent();
    assertThat(tokens.verify(parts[0] + "." + admin + "." + parts[2])).isEmpty();
  }

  @Test
  void aNodeWhoseClockTrailsTheIssuerStillAcceptsAFreshToken() {
    String token = at(NOW.plusSeconds(5)).issue("user-1", Role.CUSTOMER);

    assertThat(at(NOW).verify(token)).contains(new Principal("user-1", Role.CUSTOMER));
  }

  @Test
  void onlyHs256WithOurSecretIsAccepted() {
    Instant expires = NOW.plusSeconds(600);
    String hs512 = JWT.create().withSubject("user-1").withClaim("role", "admin").withExpiresAt(expires)
        .sign(Algorithm.HMAC512(SECRET.getBytes(StandardCharsets.UTF_8)));
    String otherSecret = JWT.create().withSubject("user-1").withClaim("role", "admin").withExpiresAt(expires)
        .sign(Algorithm.HMAC256("another-secret-of-at-least-thirty-two-bytes"));
    String none = JWT.create().withSubject("user-1").withClaim("role", "admin").withExpiresAt(expires)
        .sign(Algorithm.none());

    assertThat(at(NOW).verify(hs512)).isEmpty();
    assertThat(at(NOW).verify(otherSecret)).isEmpty();
    assertThat(at(NOW).verify(none)).isEmpty();
  }

  @Test
  void aTokenWithoutExpiryOrSubjectOrWithAnotherRoleIsRefused() {
    Algorithm ours = Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8));
    Instant expires = NOW.plusSeconds(600);

    assertThat(at(NOW).verify(JWT.create().withSubject("u").withClaim("role", "admin").sign(ours))).isEmpty();
    assertThat(at(NOW).verify(JWT.create().withClaim("role", "admin").withExpiresAt(expires).sign(ours))).isEmpty();
    assertThat(at(NOW).verify(JWT.create().withSubject("u").withClaim("role", 1).withExpiresAt(expires).sign(ours)))
        .isEmpty();
    assertThat(at(NOW).verify(JWT.create().withSubject("u").withClaim("role", "root").withExpiresAt(expires)
        .sign(ours))).isEmpty();
  }

  @Test
  void aRewrittenPayloadFailsTheSignature() {
    String[] parts = at(NOW).issue("user-1", Role.CUSTOMER).split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("customer", "admin");
    String rewritten = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

    assertThat(at(NOW).verify(rewritten)).isEmpty();
  }

  @Test
  void malformedTokensAreRefused() {
    for (String token : new String[] {null, "", "abc", "..", "a.b.c", "a".repeat(5_000)}) {
      assertThat(at(NOW).verify(token)).as(String.valueOf(token)).isEmpty();
    }
  }
}
