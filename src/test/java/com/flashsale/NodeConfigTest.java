package com.flashsale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.flashsale.local.ClusterKeystore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules a node's configuration must pass to start: production fails closed, development is asked for. */
class NodeConfigTest {

  private static final String SECRET = "a-production-secret-of-at-least-32-bytes";
  private static final String KEYSTORE_PASSWORD = "a-keystore-password";

  @TempDir
  static Path directory;
  static Path keystore;

  @BeforeAll
  static void makeAClusterKeystore() throws Exception {
    keystore = directory.resolve("cluster.p12");
    ClusterKeystore.generate(keystore, KEYSTORE_PASSWORD);
  }

  /** Everything production asks for; each refusal test changes one thing. */
  private static Map<String, Object> production(Object... changes) {
    return settings("production", changes);
  }

  private static Map<String, Object> development(Object... changes) {
    return settings("development", changes);
  }

  private static Map<String, Object> settings(String env, Object... changes) {
    Map<String, Object> settings = new HashMap<>(Map.of(
        "flashsale.env", env,
        "flashsale.jwt.secret", SECRET,
        "flashsale.admin.password", "an-admin-password",
        "flashsale.db.password", "a-database-password",
        "flashsale.payment.gateway", "simulator",
        "flashsale.cluster-tls.keystore", keystore.toString(),
        "flashsale.cluster-tls.keystore-password", KEYSTORE_PASSWORD));
    for (int i = 0; i < changes.length; i += 2) {
      settings.put((String) changes[i], changes[i + 1]);
    }
    return settings;
  }

  private static void assertRefused(Map<String, Object> settings, String naming) {
    assertThatThrownBy(() -> NodeConfig.load(settings, null))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining(naming);
  }

  @Test
  void startsInProductionWithEverythingItAsksFor() {
    Config config = NodeConfig.load(production(), null);

    assertThat(config.getString("flashsale.jwt.secret")).isEqualTo(SECRET);
    assertThat(config.getString("flashsale.payment.gateway")).isEqualTo(NodeConfig.SIMULATOR);
    assertThat(config.getString("akka.remote.artery.transport")).isEqualTo("tls-tcp");
    assertThat(config.getBoolean("akka.remote.artery.ssl.config-ssl-engine.require-mutual-authentication")).isTrue();
    assertThat(config.getString("akka.remote.artery.ssl.config-ssl-engine.trust-store")).isEqualTo(keystore.toString());
  }

  @Test
  void refusesTrustedProxiesThatAreNotAddressRanges() {
    assertRefused(development("flashsale.rate-limits.trusted-proxies", "nginx.local"), "FLASHSALE_TRUSTED_PROXIES");
  }

  @Test
  void refusesAProductionStartWithoutTheClusterKeystore() {
    assertRefused(production("flashsale.cluster-tls.keystore", ""), "FLASHSALE_CLUSTER_KEYSTORE");
  }

  @Test
  void refusesAKeystoreThatDoesNotOpenWithItsPassword() {
    assertRefused(development("flashsale.cluster-tls.keystore-password", "another-password"),
        "cannot be read with FLASHSALE_CLUSTER_KEYSTORE_PASSWORD");
    assertRefused(development("flashsale.cluster-tls.keystore", directory.resolve("missing.p12").toString()),
        "FLASHSALE_CLUSTER_KEYSTORE");
  }

  @Test
  void managementListensOnTheClusterHostOnly() {
    Config config = NodeConfig.load(production("akka.remote.artery.canonical.hostname", "10.1.2.3"), null);

    assertThat(config.getString("akka.management.http.hostname")).isEqualTo("10.1.2.3");
    assertThat(config.getString("akka.management.http.bind-hostname")).isIn("", "10.1.2.3");
  }

  @Test
  void isProductionUnlessDevelopmentIsAskedForByName() {
    assertThat(NodeConfig.isProduction(NodeConfig.load(production("flashsale.env", "production"), null))).isTrue();
    Map<String, Object> noEnvironment = production();
    noEnvironment.remove("flashsale.env");
    assertThat(NodeConfig.isProduction(NodeConfig.load(noEnvironment, null))).isTrue();
    noEnvironment.remove("flashsale.jwt.secret");
    assertRefused(noEnvironment, "FLASHSALE_JWT_SECRET");
  }

  @Test
  void refusesAnEnvironmentItDoesNotKnow() {
    assertRefused(production("flashsale.env", "dev"), "FLASHSALE_ENV");
    assertRefused(production("flashsale.env", "Production "), "FLASHSALE_ENV");
  }

  @Test
  void refusesAProductionStartWithoutAJwtSecret() {
    assertRefused(production("flashsale.jwt.secret", ""), "FLASHSALE_JWT_SECRET");
  }

  @Test
  void refusesAProductionStartWithTheDevelopmentOrAShortAdminPassword() {
    assertRefused(production("flashsale.admin.password", NodeConfig.DEV_ADMIN_PASSWORD), "FLASHSALE_ADMIN_PASSWORD");
    assertRefused(production("flashsale.admin.password", "short-pass"), "FLASHSALE_ADMIN_PASSWORD");
  }

  @Test
  void refusesAProductionStartWithTheDevelopmentOrAShortDatabasePassword() {
    assertRefused(production("flashsale.db.password", NodeConfig.DEV_DB_PASSWORD), "FLASHSALE_DB_PASSWORD");
    assertRefused(production("flashsale.db.password", ""), "FLASHSALE_DB_PASSWORD");
  }

  @Test
  void refusesAProductionStartWithRateLimitsOff() {
    assertRefused(production("flashsale.rate-limits.enabled", "off"), "FLASHSALE_RATE_LIMITS");
  }

  @Test
  void refusesTheSimulatedGatewayInProductionUnlessItIsNamed() {
    assertRefused(production("flashsale.payment.gateway", ""), "FLASHSALE_PAYMENT_GATEWAY=simulator");
    assertRefused(production("flashsale.payment.gateway", "stripe"), "FLASHSALE_PAYMENT_GATEWAY");
  }

  @Test
  void developmentAllowsItsDefaults() {
    Config config = NodeConfig.load(Map.of("flashsale.env", "development", "flashsale.rate-limits.enabled", "off"), null);

    assertThat(config.getString("flashsale.jwt.secret")).isEqualTo(NodeConfig.DEV_JWT_SECRET);
    assertThat(config.getString("flashsale.admin.password")).isEqualTo(NodeConfig.DEV_ADMIN_PASSWORD);
    assertThat(config.getString("flashsale.db.password")).isEqualTo(NodeConfig.DEV_DB_PASSWORD);
    assertThat(config.getString("flashsale.payment.gateway")).isEqualTo(NodeConfig.SIMULATOR);
    assertThat(config.getString("akka.remote.artery.transport")).isEqualTo("tcp");
  }

  @Test
  void refusesToSettlePaymentsBeforeTheGatewayCallCouldHaveEnded() {
    assertRefused(development("flashsale.sale.settle-after", "5s", "flashsale.payment.call-timeout", "5s"),
        "FLASHSALE_SETTLE_AFTER");
  }

  @Test
  void refusesASecretShorterThan32BytesEvenInDevelopment() {
    assertRefused(development("flashsale.jwt.secret", "too-short"), "FLASHSALE_JWT_SECRET");
  }

  @Test
  void turnsSeedHostPortsIntoAkkaAddresses() {
    Config config = NodeConfig.load(production(), "10.0.0.1:25520, node-2:25521");

    assertThat(config.getStringList("akka.cluster.seed-nodes"))
        .containsExactly("akka://flashsale@10.0.0.1:25520", "akka://flashsale@node-2:25521");
  }

  @Test
  void seedsWithItselfByDefault() {
    Config config = NodeConfig.load(production("akka.remote.artery.canonical.port", 25599), null);

    assertThat(config.getStringList("akka.cluster.seed-nodes")).containsExactly("akka://flashsale@127.0.0.1:25599");
  }

  @Test
  void refusesMalformedSeedNodes() {
    assertThatThrownBy(() -> NodeConfig.load(production(), "not a host"))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining("FLASHSALE_SEED_NODES");
  }
}
