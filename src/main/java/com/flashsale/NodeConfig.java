package com.flashsale;

import com.flashsale.http.TrustedProxies;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads a node's configuration: the HOCON files (with their FLASHSALE_* environment overrides), plus
 * what HOCON cannot express itself: the seed node list from {@code FLASHSALE_SEED_NODES}, and the rules a
 * start must pass. A node runs in production unless {@code FLASHSALE_ENV=development} asks for the
 * development defaults; production refuses to start on a setting that would leave it open (see
 * {@link #refuseOpenProductionSettings}).
 */
public final class NodeConfig {

  /** Used only outside production, with a warning at start. */
  static final String DEV_JWT_SECRET = "flashsale-development-only-secret-do-not-use-in-production";

  /** The development default of flashsale.admin.password (flashsale.conf); refused in production. */
  static final String DEV_ADMIN_PASSWORD = "admin-change-me";

  /** The development default of flashsale.db.password (flashsale.conf); refused in production. */
  static final String DEV_DB_PASSWORD = "postgres";

  /** The shortest admin or database password production accepts. */
  static final int MIN_PASSWORD_LENGTH = 12;

  /** The one payment gateway this build has: it approves every token not starting with "decline". */
  public static final String SIMULATOR = "simulator";

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
    boolean production = isProduction(config);
    derived.put("flashsale.jwt.secret", jwtSecret(config, production));
    derived.put("flashsale.payment.gateway", paymentGateway(config, production));
    derived.put("akka.remote.artery.transport", clusterTransport(config, production));
    if (production) {
      refuseOpenProductionSettings(config);
    }
    refuseSettlingBeforeTheGatewayGaveUp(config);
    try {
      TrustedProxies.parse(config.getString("flashsale.rate-limits.trusted-proxies"));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfig("FLASHSALE_TRUSTED_PROXIES must be comma-separated CIDRs: " + e.getMessage());
    }
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

  /** Production unless development is asked for by name; any other value is refused rather than guessed. */
  public static boolean isProduction(Config config) {
    String env = config.getString("flashsale.env");
    return switch (env) {
      case "production" -> true;
      case "development" -> false;
      default -> throw new InvalidConfig("FLASHSALE_ENV must be production (the default) or development, got '" + env + "'");
    };
  }

  /**
   * What production refuses, each with what to set: a password that is a development default or short
   * enough to guess, and rate limits off (every client could then take the node's whole capacity).
   */
  static void refuseOpenProductionSettings(Config config) {
    refuseWeakPassword(config.getString("flashsale.admin.password"), DEV_ADMIN_PASSWORD, "FLASHSALE_ADMIN_PASSWORD");
    refuseWeakPassword(config.getString("flashsale.db.password"), DEV_DB_PASSWORD, "FLASHSALE_DB_PASSWORD");
    if (!config.getBoolean("flashsale.rate-limits.enabled")) {
      throw new InvalidConfig("Production needs rate limits: unset FLASHSALE_RATE_LIMITS (or set it to on); "
          + "off is for benchmarks with FLASHSALE_ENV=development");
    }
  }

  private static void refuseWeakPassword(String password, String developmentDefault, String variable) {
    if (password.equals(developmentDefault) || password.length() < MIN_PASSWORD_LENGTH) {
      throw new InvalidConfig("Production needs " + variable + " of at least " + MIN_PASSWORD_LENGTH
          + " characters, not the development default");
    }
  }

  /**
   * The payment gateway: the simulator approves payments without moving money, so production takes it
   * only when FLASHSALE_PAYMENT_GATEWAY names it; development uses it by default.
   */
  static String paymentGateway(Config config, boolean production) {
    String gateway = config.getString("flashsale.payment.gateway");
    if (gateway.isEmpty() && !production) {
      return SIMULATOR;
    }
    if (gateway.isEmpty()) {
      throw new InvalidConfig("Production needs FLASHSALE_PAYMENT_GATEWAY: this build has only the simulated gateway, "
          + "which approves payments without charging anyone; set FLASHSALE_PAYMENT_GATEWAY=simulator to run with it");
    }
    if (!gateway.equals(SIMULATOR)) {
      throw new InvalidConfig("FLASHSALE_PAYMENT_GATEWAY must be simulator (the only gateway of this build), got '"
          + gateway + "'");
    }
    return gateway;
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

  /**
   * TLS with mutual authentication when a key store is given (it must open with its password); plain TCP,
   * which lets anything that reaches the cluster port join, only in development.
   */
  static String clusterTransport(Config config, boolean production) {
    String keystore = config.getString("flashsale.cluster-tls.keystore");
    if (keystore.isEmpty()) {
      if (production) {
        throw new InvalidConfig("Production needs FLASHSALE_CLUSTER_KEYSTORE and FLASHSALE_CLUSTER_KEYSTORE_PASSWORD: "
            + "the cluster's TLS key store (docs/operations.md shows the command that makes one)");
      }
      return "tcp";
    }
    char[] password = config.getString("flashsale.cluster-tls.keystore-password").toCharArray();
    try {
      KeyStore.getInstance(new File(keystore), password);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidConfig("FLASHSALE_CLUSTER_KEYSTORE " + keystore
          + " cannot be read with FLASHSALE_CLUSTER_KEYSTORE_PASSWORD (" + e.getClass().getSimpleName() + ")");
    }
    return "tls-tcp";
  }

  static String jwtSecret(Config config, boolean production) {
    String secret = config.getString("flashsale.jwt.secret");
    if (secret.isEmpty()) {
      if (production) {
        throw new InvalidConfig("Production needs FLASHSALE_JWT_SECRET (at least 32 bytes), or FLASHSALE_ENV=development "
            + "for the development secret");
      }
      return DEV_JWT_SECRET;
    }
    if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new InvalidConfig("FLASHSALE_JWT_SECRET must be at least 32 bytes");
    }
    return secret;
  }
}
