package com.flashsale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads a node's configuration: the HOCON files (with their FLASHSALE_* environment overrides), plus
 * what HOCON cannot express itself: the seed node list from {@code FLASHSALE_SEED_NODES} and the JWT
 * secret rule (a production start without a secret is refused).
 */
public final class NodeConfig {

  /** Used only outside production, with a warning at start. */
  static final String DEV_JWT_SECRET = "flashsale-development-only-secret-do-not-use-in-production";

  /** The development default of flashsale.admin.password (flashsale.conf); refused in production. */
  static final String DEV_ADMIN_PASSWORD = "admin-change-me";

  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+:[0-9]{1,5}");

  /** A configuration the node cannot start with; the message says what to fix. */
  public static final class InvalidConfig extends RuntimeException {
    InvalidConfig(String message) {
      super(message);
    }
  }

  private NodeConfig() {}

  /** The node's configuration from the environment, with {@code overrides} on top (tests, local runs). */
  public static Config load(Map<String, ?> overrides, String seedNodesEnv) {
    Config unresolved = ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application"));
    Config config = ConfigFactory.load(unresolved);
    Map<String, Object> derived = new HashMap<>();
    if (!overrides.containsKey("akka.cluster.seed-nodes")) {
      String self = config.getString("akka.remote.artery.canonical.hostname") + ":"
          + config.getInt("akka.remote.artery.canonical.port");
      derived.put("akka.cluster.seed-nodes", seedNodes(seedNodesEnv == null || seedNodesEnv.isBlank() ? self : seedNodesEnv));
    }
    derived.put("flashsale.jwt.secret", jwtSecret(config));
    refuseDefaultAdminPasswordInProduction(config);
    refuseSettlingBeforeTheGatewayGaveUp(config);
    return ConfigFactory.load(ConfigFactory.parseMap(derived).withFallback(unresolved));
  }

  static List<String> seedNodes(String hostPorts) {
    List<String> seeds = new ArrayList<>();
    for (String hostPort : hostPorts.split(",")) {
      String trimmed = hostPort.strip();
      if (!HOST_PORT.matcher(trimmed).matches()) {
        throw new InvalidConfig("FLASHSALE_SEED_NODES must be comma-separated host:port pairs, got '" + trimmed + "'");
      }
      seeds.add("akka://flashsale@" + trimmed);
    }
    return seeds;
  }

  static boolean isProduction(Config config) {
    return "production".equalsIgnoreCase(config.getString("flashsale.env"));
  }

  static void refuseDefaultAdminPasswordInProduction(Config config) {
    if (isProduction(config) && DEV_ADMIN_PASSWORD.equals(config.getString("flashsale.admin.password"))) {
      throw new InvalidConfig("FLASHSALE_ENV=production needs FLASHSALE_ADMIN_PASSWORD (not the development default)");
    }
  }

  /**
   * A sale settles a payment attempt in doubt (looks its charge up, or closes its key) only after the call
   * that made it can no longer be running.
   */
  static void refuseSettlingBeforeTheGatewayGaveUp(Config config) {
    if (config.getDuration("flashsale.sale.settle-after").compareTo(config.getDuration("flashsale.payment.call-timeout")) <= 0) {
      throw new InvalidConfig("FLASHSALE_SETTLE_AFTER must be longer than FLASHSALE_PAYMENT_CALL_TIMEOUT");
    }
  }

  static String jwtSecret(Config config) {
    String secret = config.getString("flashsale.jwt.secret");
    boolean production = isProduction(config);
    if (secret.isEmpty()) {
      if (production) {
        throw new InvalidConfig("FLASHSALE_ENV=production needs FLASHSALE_JWT_SECRET (at least 32 bytes)");
      }
      return DEV_JWT_SECRET;
    }
    if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new InvalidConfig("FLASHSALE_JWT_SECRET must be at least 32 bytes");
    }
    return secret;
  }
}
