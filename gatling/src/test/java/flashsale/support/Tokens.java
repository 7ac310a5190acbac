package flashsale.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Mints buyer tokens the way the service does (HS256 over the UTF-8 bytes of the shared secret; claims
 * {@code sub}, {@code role}, {@code iat}, {@code exp}). The purchase path trusts any validly signed token, so a
 * load test needs no registration round trip for its hundred thousand synthetic buyers.
 */
public final class Tokens {

  private static final Duration TTL = Duration.ofHours(12);
  private static final Algorithm SIGNER = signer(Params.jwtSecret());

  private Tokens() {}

  /** A token for a synthetic customer (any id up to 64 characters, e.g. a random UUID). */
  public static String customer(String userId) {
    return issue(userId, "customer");
  }

  public static String issue(String userId, String role) {
    Instant now = Instant.now();
    return JWT.create()
        .withSubject(userId)
        .withClaim("role", role)
        .withIssuedAt(now)
        .withExpiresAt(now.plus(TTL))
        .sign(SIGNER);
  }

  private static Algorithm signer(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 32) {
      throw new IllegalArgumentException("The JWT secret must be at least 32 bytes (it is the service's HS256 key)");
    }
    return Algorithm.HMAC256(key);
  }
}
