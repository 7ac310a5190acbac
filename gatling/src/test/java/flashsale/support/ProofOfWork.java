package flashsale.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The buyer's side of a waiting room's proof of work (docs/api.md, "Waiting room"): a nonce of 1 to 64 letters or
 * digits such that SHA-256 of {@code token + ":" + nonce} starts with {@code bits} zero bits. The storefront finds
 * it with Web Crypto; a simulated buyer counts up in base 36, about 2^bits hashes on average, so simulations
 * keep the sale's difficulty low ({@code -Ddifficulty}).
 */
public final class ProofOfWork {

  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private ProofOfWork() {}

  /** A nonce solving the challenge {@code token} at {@code bits} bits (1 to 30, as the service allows). */
  public static String solve(String token, int bits) {
    if (bits < 0 || bits > 40) {
      throw new IllegalArgumentException("A challenge of " + bits + " bits is not one to solve here");
    }
    MessageDigest sha = SHA_256.get();
    byte[] prefix = (token + ":").getBytes(StandardCharsets.UTF_8);
    long tries = 1L << Math.min(62, bits + 12); // past this, something is wrong (the odds are e^-4096)
    for (long n = 0; n < tries; n++) {
      String nonce = Long.toString(n, 36);
      sha.update(prefix);
      if (leadingZeroBits(sha.digest(nonce.getBytes(StandardCharsets.US_ASCII))) >= bits) {
        return nonce;
      }
    }
    throw new IllegalStateException("No nonce solved a " + bits + "-bit challenge in " + tries + " tries");
  }

  static int leadingZeroBits(byte[] digest) {
    int zeros = 0;
    for (byte b : digest) {
      if (b == 0) {
        zeros += 8;
      } else {
        return zeros + Integer.numberOfLeadingZeros(b & 0xff) - 24;
      }
    }
    return zeros;
  }
}
