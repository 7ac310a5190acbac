package flashsale.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Mints buyer tokens the way the service does (HS256 over the UTF-8 bytes of the shared secret; claims
 * {@code sub}, {@code role}, {@code iat}, {@code exp}). The purchase path trusts any validly signed token, so a
 * load test needs no registration round trip for its hundred thousand synthetic buyers.
 */
public final class Tokens {

  private static final Duration TTL = Duration.ofHours(12);
  private static final MACSigner SIGNER = signer(Params.jwtSecret());

  private Tokens() {}

  /** A token for a synthetic customer (any id up to 64 characters, e.g. a random UUID). */
  public static String customer(String userId) {
    return issue(userId, "customer");
  }

  public static String issue(String userId, String role) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .claim("role", role)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(TTL)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(SIGNER);
    } catch (JOSEException e) {
      throw new IllegalStateException("Could not sign a token", e);
    }
    return jwt.serialize();
  }

  private static MACSigner signer(String secret) {
    try {
      return new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("The JWT secret must be at least 32 bytes (it is the service's HS256 key)", e);
    }
  }
}
