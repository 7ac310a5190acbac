package flashsale.support;

import java.util.Arrays;
import java.util.List;

/**
 * The simulations' knobs: Java system properties ({@code -Dbuyers=5000} on the mvn command line), each with a
 * default fit for a local single node. Every one is listed in README.md. The JWT secret and the admin's
 * credentials also fall back to the service's own environment variables, so a shell that started the service
 * can start the load test unchanged.
 */
public final class Params {

  public static final String DEFAULT_JWT_SECRET = "flashsale-development-only-secret-do-not-use-in-production";

  private Params() {}

  public static String string(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public static int integer(String name, int fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be an integer, was " + value, e);
    }
  }

  public static double number(String name, double fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + name + " must be a number, was " + value, e);
    }
  }

  /** A probability in [0, 1]. */
  public static double ratio(String name, double fallback) {
    double value = number(name, fallback);
    if (value < 0 || value > 1) {
      throw new IllegalArgumentException("-D" + name + " must be between 0 and 1, was " + value);
    }
    return value;
  }

  /** {@code -DbaseUrl=http://a:8080,http://b:8080}: Gatling spreads the virtual users over them round-robin. */
  public static List<String> baseUrls() {
    List<String> urls = Arrays.stream(string("baseUrl", "http://127.0.0.1:8080").split(","))
        .map(String::trim).filter(url -> !url.isEmpty()).map(url -> url.replaceAll("/+$", "")).toList();
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("-DbaseUrl names no URL");
    }
    return urls;
  }

  public static String jwtSecret() {
    return firstOf(System.getProperty("jwtSecret"), System.getProperty("FLASHSALE_JWT_SECRET"),
        System.getenv("FLASHSALE_JWT_SECRET"), DEFAULT_JWT_SECRET);
  }

  public static String adminEmail() {
    return firstOf(System.getProperty("adminEmail"), System.getenv("FLASHSALE_ADMIN_EMAIL"), "admin@flashsale.local");
  }

  public static String adminPassword() {
    return firstOf(System.getProperty("adminPassword"), System.getenv("FLASHSALE_ADMIN_PASSWORD"), "admin-change-me");
  }

  private static String firstOf(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    throw new IllegalStateException("no value");
  }
}
