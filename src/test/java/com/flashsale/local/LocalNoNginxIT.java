package com.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.testing.LocalClusterProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local --nodes 1 --no-nginx}, as the benchmark runs it: no nginx even where one is installed, and node 1
 * serves the entry port itself.
 */
class LocalNoNginxIT {

  /** WarmupTest covers the warm-up; these three starts would each take up to 25 s longer with it. */
  private static final Map<String, String> NO_WARMUP = Map.of("FLASHSALE_WARMUP", "off");

  @TempDir
  Path data;

  @Test
  void nodeOneServesTheEntryPortItselfWithoutNginx() throws Exception {
    try (LocalClusterProcess local = LocalClusterProcess.start(data, 1, NO_WARMUP, "--no-nginx")) {
      assertThat(local.log()).contains("FlashSale is running: 1 node(s).").doesNotContain("behind nginx");
      assertThat(local.api().get("/health/ready", null).status()).isEqualTo(200);
      assertThat(local.api().get("/api/sales", null).status()).isEqualTo(200);
      // with nginx, node 1 would listen on the entry port + 1 and nginx would have its directory
      assertThatThrownBy(() -> connect(local.entryPort + 1)).isInstanceOf(IOException.class);
      assertThat(Files.exists(data.resolve("nginx"))).isFalse();
    }
  }

  @Test
  void generatesTheSecretsOfItsDataDirectoryShowsThePasswordOnceAndKeepsThemPrivate() throws Exception {
    String password;
    try (LocalClusterProcess local = LocalClusterProcess.start(data, 1, NO_WARMUP, "--no-nginx")) {
      password = local.adminPassword();
      assertThat(password).hasSizeGreaterThanOrEqualTo(20);
      assertThat(local.log()).contains("password " + password + ", generated now");
      assertThat(Files.getPosixFilePermissions(data.resolve("secrets.properties")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(local.api().post("/api/auth/login", null,
          Map.of("email", "admin@flashsale.local", "password", "admin-change-me")).status()).isEqualTo(401);
      assertThat(local.api().post("/api/auth/login", null,
          Map.of("email", "admin@flashsale.local", "password", password)).status()).isEqualTo(200);
    }
    try (LocalClusterProcess again = LocalClusterProcess.start(data, 1, NO_WARMUP, "--no-nginx")) {
      assertThat(again.adminPassword()).isEqualTo(password);
      assertThat(again.log()).doesNotContain(password);
    }
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
    }
  }
}
