package com.flashsale.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The secrets of a local run: the JWT secret, the first admin's password and the cluster's TLS key store
 * with its password. The environment's own win; otherwise each data directory gets random ones at its first
 * run, kept in {@code secrets.properties} and {@code cluster.p12} (readable by their owner only), so no two
 * machines share a secret and none is written in the source.
 */
final class LocalSecrets {

  static final String FILE = "secrets.properties";
  static final String JWT_SECRET = "FLASHSALE_JWT_SECRET";
  static final String ADMIN_PASSWORD = "FLASHSALE_ADMIN_PASSWORD";
  static final String CLUSTER_KEYSTORE = "FLASHSALE_CLUSTER_KEYSTORE";
  static final String CLUSTER_KEYSTORE_PASSWORD = "FLASHSALE_CLUSTER_KEYSTORE_PASSWORD";
  static final String KEYSTORE_FILE = "cluster.p12";

  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalSecrets() {}

  /**
   * Puts the secrets into {@code env} where it has none, from the data directory's files, generating and
   * saving the missing ones. Returns the names of those generated now (for the one time they are shown).
   */
  static List<String> fill(Map<String, String> env, Path dataDirectory) throws IOException, InterruptedException {
    Path file = dataDirectory.resolve(FILE);
    Properties kept = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        kept.load(reader);
      }
    }
    List<String> generated = new ArrayList<>();
    boolean ownKeystore = !isSet(env, CLUSTER_KEYSTORE);
    for (String name : ownKeystore ? List.of(JWT_SECRET, ADMIN_PASSWORD, CLUSTER_KEYSTORE_PASSWORD)
        : List.of(JWT_SECRET, ADMIN_PASSWORD)) {
      if (isSet(env, name)) {
        continue;
      }
      if (kept.getProperty(name) == null) {
        kept.setProperty(name, random(name.equals(JWT_SECRET) ? 48 : 18));
        generated.add(name);
      }
      env.put(name, kept.getProperty(name));
    }
    if (!generated.isEmpty()) {
      save(kept, file);
    }
    if (ownKeystore) {
      Path keystore = dataDirectory.resolve(KEYSTORE_FILE).toAbsolutePath();
      if (!Files.exists(keystore) || generated.contains(CLUSTER_KEYSTORE_PASSWORD)) {
        ClusterKeystore.generate(keystore, env.get(CLUSTER_KEYSTORE_PASSWORD));
        generated.add(CLUSTER_KEYSTORE);
      }
      env.put(CLUSTER_KEYSTORE, keystore.toString());
    }
    return generated;
  }

  private static boolean isSet(Map<String, String> env, String name) {
    return env.get(name) != null && !env.get(name).isEmpty();
  }

  private static void save(Properties secrets, Path file) throws IOException {
    Path temporary = file.resolveSibling(FILE + ".new");
    Files.deleteIfExists(temporary);
    Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
      secrets.store(writer, "Secrets of this local run's data directory (flashsale local); keep them private");
    }
    Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** {@code bytes} random bytes, URL-safe Base64 (no characters a shell or a properties file treats specially). */
  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }
}
