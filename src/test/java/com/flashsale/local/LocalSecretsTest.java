package com.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local run's secrets: the environment's win, else its data directory's own, generated once and kept private. */
class LocalSecretsTest {

  @TempDir
  Path data;

  @Test
  void generatesRandomSecretsOnceKeepsThemOwnerOnlyAndReusesThem() throws Exception {
    Map<String, String> first = new HashMap<>();
    assertThat(LocalSecrets.fill(first, data)).containsExactly(LocalSecrets.JWT_SECRET, LocalSecrets.ADMIN_PASSWORD,
        LocalSecrets.CLUSTER_KEYSTORE_PASSWORD, LocalSecrets.CLUSTER_KEYSTORE);
    assertThat(first.get(LocalSecrets.JWT_SECRET).getBytes()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(first.get(LocalSecrets.ADMIN_PASSWORD)).hasSizeGreaterThanOrEqualTo(12);
    Path keystore = data.resolve(LocalSecrets.KEYSTORE_FILE).toAbsolutePath();
    assertThat(first.get(LocalSecrets.CLUSTER_KEYSTORE)).isEqualTo(keystore.toString());
    KeyStore opened = KeyStore.getInstance(keystore.toFile(), first.get(LocalSecrets.CLUSTER_KEYSTORE_PASSWORD).toCharArray());
    assertThat(opened.isKeyEntry("flashsale-cluster")).isTrue();
    for (Path secret : List.of(data.resolve(LocalSecrets.FILE), keystore)) {
      assertThat(Files.getPosixFilePermissions(secret)).as(secret.toString())
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    Map<String, String> again = new HashMap<>();
    assertThat(LocalSecrets.fill(again, data)).isEmpty();
    assertThat(again).isEqualTo(first);

    Map<String, String> elsewhere = new HashMap<>();
    LocalSecrets.fill(elsewhere, Files.createDirectory(data.resolve("other")));
    assertThat(elsewhere.get(LocalSecrets.JWT_SECRET)).isNotEqualTo(first.get(LocalSecrets.JWT_SECRET));
    assertThat(elsewhere.get(LocalSecrets.ADMIN_PASSWORD)).isNotEqualTo(first.get(LocalSecrets.ADMIN_PASSWORD));
  }

  @Test
  void theEnvironmentsOwnSecretsWinAndAreNotWritten() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(LocalSecrets.ADMIN_PASSWORD, "the-operators-password",
        LocalSecrets.CLUSTER_KEYSTORE, "/etc/flashsale/cluster.p12"));

    List<String> generated = LocalSecrets.fill(env, data);

    assertThat(generated).containsExactly(LocalSecrets.JWT_SECRET);
    assertThat(env.get(LocalSecrets.CLUSTER_KEYSTORE)).isEqualTo("/etc/flashsale/cluster.p12");
    assertThat(Files.exists(data.resolve(LocalSecrets.KEYSTORE_FILE))).isFalse();
    assertThat(env.get(LocalSecrets.ADMIN_PASSWORD)).isEqualTo("the-operators-password");
    assertThat(Files.readString(data.resolve(LocalSecrets.FILE))).doesNotContain("the-operators-password")
        .doesNotContain(LocalSecrets.ADMIN_PASSWORD);
  }
}
