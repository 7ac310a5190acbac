package com.flashsale.account;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt through a maintained library. Passwords over bcrypt's 72 bytes are pre-hashed (SHA-512)
 * rather than truncated. Slow by design: call it only on the blocking dispatcher.
 */
public final class PasswordHasher {

  private final int cost;
  private final BCrypt.Hasher hasher;
  private final BCrypt.Verifyer verifyer;
  /** Verified against when the email is unknown, so both failures take the same time. */
  private final String decoy;

  public PasswordHasher(int cost) {
    this.cost = cost;
    this.hasher = BCrypt.with(BCrypt.Version.VERSION_2A, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2A));
    this.verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2A));
    this.decoy = hash("decoy-password-never-matches");
  }

  public String hash(String password) {
    return hasher.hashToString(cost, password.toCharArray());
  }

  public boolean matches(String password, String hash) {
    return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
  }

  /** Spends the time of a real check, for an unknown email. */
  public void spendDecoyCheck(String password) {
    matches(password, decoy);
  }
}
