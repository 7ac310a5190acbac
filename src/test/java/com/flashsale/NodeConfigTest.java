package com.flashsale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  private static final String SECRET = "a-production-secret-of-at-least-32-bytes";

  @Test
  void refusesAProductionStartWithoutAJwtSecret() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of("flashsale.env", "production", "flashsale.jwt.secret", "",
        "flashsale.admin.password", "a-real-password"), null))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining("FLASHSALE_JWT_SECRET");
  }

  @Test
  void refusesAProductionStartWithTheDevelopmentAdminPassword() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of("flashsale.env", "production", "flashsale.jwt.secret", SECRET),
        null))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining("FLASHSALE_ADMIN_PASSWORD");
  }

  @Test
  void refusesToSettlePaymentsBeforeTheGatewayCallCouldHaveEnded() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of("flashsale.sale.settle-after", "5s",
        "flashsale.payment.call-timeout", "5s"), null))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining("FLASHSALE_SETTLE_AFTER");
  }

  @Test
  void startsInProductionWithASecretAndAnAdminPassword() {
    Config config = NodeConfig.load(Map.of("flashsale.env", "production", "flashsale.jwt.secret", SECRET,
        "flashsale.admin.password", "a-real-password"), null);

    assertThat(config.getString("flashsale.jwt.secret")).isEqualTo(SECRET);
  }

  @Test
  void usesTheDevelopmentSecretOutsideProduction() {
    Config config = NodeConfig.load(Map.of("flashsale.jwt.secret", ""), null);

    assertThat(config.getString("flashsale.jwt.secret")).isEqualTo(NodeConfig.DEV_JWT_SECRET);
  }

  @Test
  void refusesASecretShorterThan32Bytes() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of("flashsale.jwt.secret", "too-short"), null))
        .isInstanceOf(NodeConfig.InvalidConfig.class);
  }

  @Test
  void turnsSeedHostPortsIntoAkkaAddresses() {
    Config config = NodeConfig.load(Map.of(), "10.0.0.1:25520, node-2:25521");

    assertThat(config.getStringList("akka.cluster.seed-nodes"))
        .containsExactly("akka://flashsale@10.0.0.1:25520", "akka://flashsale@node-2:25521");
  }

  @Test
  void seedsWithItselfByDefault() {
    Config config = NodeConfig.load(Map.of("akka.remote.artery.canonical.port", 25599), null);

    assertThat(config.getStringList("akka.cluster.seed-nodes")).containsExactly("akka://flashsale@127.0.0.1:25599");
  }

  @Test
  void refusesMalformedSeedNodes() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of(), "not a host"))
        .isInstanceOf(NodeConfig.InvalidConfig.class)
        .hasMessageContaining("FLASHSALE_SEED_NODES");
  }
}
