package com.flashsale.waitingroom;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys of the waiting room, each derived from the API's JWT secret for one purpose (HMAC-SHA256 of the purpose
 * under the secret): a challenge, a ticket, a pass and a sign-in token never verify as one another, and no
 * buyer can compute a pre-queue rank.
 */
final class DerivedKeys {

  private DerivedKeys() {}

  static byte[] derive(String jwtSecret, String purpose) {
    return hmac(jwtSecret.getBytes(StandardCharsets.UTF_8), purpose);
  }

  static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("Every JDK has HmacSHA256", e);
    }
  }
}
