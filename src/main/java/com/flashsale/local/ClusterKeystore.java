package com.flashsale.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a cluster key store: one EC key pair with its self-signed certificate in a PKCS12 file, which every
 * node of one cluster is given (as {@code FLASHSALE_CLUSTER_KEYSTORE}) and which trusts only that
 * certificate. Made by the JDK's keytool, the same command docs/operations.md gives operators.
 */
public final class ClusterKeystore {

  private ClusterKeystore() {}

  /** Writes a new key store to {@code file} (readable by its owner only), protected by {@code password}. */
  public static void generate(Path file, String password) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Files.deleteIfExists(file);
    ProcessBuilder builder = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-noprompt",
        "-alias", "flashsale-cluster", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=flashsale-cluster", "-validity", "3650", "-storetype", "PKCS12", "-keystore", file.toString(),
        // From the environment, so the password never shows in a process listing.
        "-storepass:env", "FLASHSALE_KEYSTORE_PASSWORD", "-keypass:env", "FLASHSALE_KEYSTORE_PASSWORD"));
    builder.environment().put("FLASHSALE_KEYSTORE_PASSWORD", password);
    Process keytoolRun = builder.redirectErrorStream(true).start();
    String output = new String(keytoolRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytoolRun.waitFor(60, TimeUnit.SECONDS) || keytoolRun.exitValue() != 0 || !Files.exists(file)) {
      keytoolRun.destroyForcibly();
      throw new IOException("keytool could not make the cluster key store " + file + ": " + output.strip());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }
}
