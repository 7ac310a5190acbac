package com.flashsale.waitingroom;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The hashcash-style price of joining a sale's waiting room, so that a bot pays in CPU for every place it takes.
 * A challenge is a token signed by the node (any node verifies it: they share the secret), bound to one buyer and
 * one sale, valid for a few minutes, naming its difficulty in bits. A solution is a nonce such that
 * SHA-256({@code token ":" nonce}) starts with that many zero bits: about 2^bits hashes to find (a browser does
 * it with Web Crypto), one to check. Nothing is stored: a challenge may be solved and shown more than once, which
 * costs nothing, since joining again returns the buyer's existing ticket.
 *
 * <p>Challenges are JWTs keyed with a key derived from the API's JWT secret, never the secret itself, so a
 * challenge can never pass as a sign-in token, nor the other way round.
 */
public final class ProofOfWork {

  /** Difficulties a sale may set: at 30 bits a phone would work for minutes. */
  public static final int MIN_BITS = 1;
  public static final int MAX_BITS = 30;
  private static final Pattern NONCE = Pattern.compile("[0-9A-Za-z]{1,64}");
  private static final String AUDIENCE = "flashsale-waiting-room";

  /** A challenge as the buyer gets it: solve {@code token} to {@code bits} zero bits before {@code expiresAt}. */
  public record Challenge(String token, int bits, Instant expiresAt) {}

  /** Why a solution is refused, or {@code SOLVED}. */
  public enum Verdict { SOLVED, MALFORMED, EXPIRED, NOT_YOURS, TOO_EASY }

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Clock clock;
  private final Duration validity;

  public ProofOfWork(String jwtSecret, Duration validity, Clock clock) {
    this.algorithm = Algorithm.HMAC256(DerivedKeys.derive(jwtSecret, "flashsale waiting-room proof-of-work"));
    this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm).withAudience(AUDIENCE)).build(clock);
    this.clock = clock;
    this.validity = validity;
  }

  /** A new challenge for the buyer to join the sale's room at {@code bits} of difficulty. */
  public Challenge issue(String userId, UUID saleId, int bits) {
    if (bits < MIN_BITS || bits > MAX_BITS) {
      throw new IllegalArgumentException("bits must be between " + MIN_BITS + " and " + MAX_BITS);
    }
    Instant now = clock.instant();
    Instant expiresAt = now.plus(validity);
    String token = JWT.create()
        .withAudience(AUDIENCE)
        .withSubject(userId)
        .withClaim("sale", saleId.toString())
        .withClaim("bits", bits)
        .withIssuedAt(now)
        .withExpiresAt(expiresAt)
        .withJWTId(UUID.randomUUID().toString())
        .sign(algorithm);
    return new Challenge(token, bits, expiresAt);
  }

  /** Whether {@code nonce} solves a challenge this service issued to {@code userId} for {@code saleId}. */
  public Verdict verify(String token, String nonce, String userId, UUID saleId) {
    if (token == null || nonce == null || !NONCE.matcher(nonce).matches()) {
      return Verdict.MALFORMED;
    }
    com.auth0.jwt.interfaces.DecodedJWT challenge;
    try {
      challenge = verifier.verify(token);
    } catch (TokenExpiredException expired) {
      return Verdict.EXPIRED;
    } catch (JWTVerificationException invalid) {
      return Verdict.MALFORMED;
    }
    Integer bits = challenge.getClaim("bits").asInt();
    if (bits == null || bits < MIN_BITS || bits > MAX_BITS) {
      return Verdict.MALFORMED;
    }
    if (!userId.equals(challenge.getSubject()) || !saleId.toString().equals(challenge.getClaim("sale").asString())) {
      return Verdict.NOT_YOURS;
    }
    return solves(token, nonce, bits) ? Verdict.SOLVED : Verdict.TOO_EASY;
  }

  /** Whether SHA-256({@code token ":" nonce}) starts with at least {@code bits} zero bits. */
  public static boolean solves(String token, String nonce, int bits) {
    return leadingZeroBits(sha256(token + ":" + nonce)) >= bits;
  }

  static int leadingZeroBits(byte[] hash) {
    int zeros = 0;
    for (byte b : hash) {
      if (b != 0) {
        return zeros + Integer.numberOfLeadingZeros(b & 0xff) - 24;
      }
      zeros += 8;
    }
    return zeros;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK has SHA-256", e);
    }
  }
}
