package com.flashsale.account;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;

/**
 * Issues and verifies the API's JWTs: HS256 keyed with the UTF-8 bytes of the configured secret,
 * claims {@code sub}, {@code role}, {@code exp}. Only HS256 is accepted ({@code alg: none} or any other
 * algorithm is refused), and an expired token is invalid.
 */
public final class TokenService {

  public static final int MIN_SECRET_BYTES = 32;

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Duration ttl;
  private final Clock clock;

  public TokenService(String secret, Duration ttl, Clock clock) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("The JWT secret must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    try {
      this.signer = new MACSigner(key);
      this.verifier = new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("Unusable JWT secret", e);
    }
    this.ttl = ttl;
    this.clock = clock;
  }

  public String issue(String userId, Role role) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .claim("role", role.wire())
        .issueTime(Date.from(clock.instant()))
        .expirationTime(Date.from(clock.instant().plus(ttl)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("Could not sign a token", e);
    }
    return jwt.serialize();
  }

  /** The caller a token names, if it is a well-formed, HS256-signed, unexpired token of ours. */
  public Optional<Principal> verify(String token) {
    if (token == null || token.length() > 4096) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date expires = claims.getExpirationTime();
      String subject = claims.getSubject();
      Object role = claims.getClaim("role");
      if (expires == null || !expires.toInstant().isAfter(clock.instant()) || subject == null || subject.isBlank()
          || subject.length() > 64 || !(role instanceof String roleName)) {
        return Optional.empty();
      }
      return Optional.of(new Principal(subject, Role.fromWire(roleName)));
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
