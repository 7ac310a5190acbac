package com.flashsale.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.flashsale.FlashSaleNode;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's browser tests: {@code browser-tests/run.mjs} (playwright-core driving Debian's chromium headless,
 * never a downloaded browser) against a real node on the real clock, so sales go live by themselves a few
 * seconds after the test schedules them. The scenarios: a buyer registers, waits for the start, buys with
 * the keyboard, sees the stock drop in a second tab, pays and sees CONFIRMED in My orders; another buyer's
 * declined payment keeps the hold (and a 503 is retried with a notice, and a tab back from the background
 * shows a sold-out sale live again); an admin creates a product and a sale and watches its stats move
 * during a purchase. Screenshots go to {@code target/screenshots/} (the README's Front end section).
 *
 * <p>Without Node.js 20+ or chromium this fails (never skips) and names the install command; without
 * {@code browser-tests/node_modules} it runs {@code npm ci} first (the npm registry must be reachable).
 */
class BrowserIT {

  private static final Path TESTS = Path.of("browser-tests");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String CHROMIUM = System.getenv().getOrDefault("FLASHSALE_CHROMIUM", "/usr/bin/chromium");
  private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
  private static final List<String> SCREENSHOT_FILES = List.of(
      "storefront-desktop.png", "storefront-mobile.png", "sale-page-desktop.png", "sale-page-mobile.png",
      "my-orders-desktop.png", "my-orders-mobile.png", "admin-sale-panel-desktop.png", "admin-sale-panel-mobile.png",
      "queue-prequeue-desktop.png", "queue-prequeue-mobile.png", "queue-page-desktop.png", "queue-page-mobile.png",
      "admin-room-panel-desktop.png", "admin-room-panel-mobile.png");

  @Test
  void buyersAndAnAdminUseTheFrontEndInARealBrowser() throws Exception {
    String node = requireNode();
    requireChromium();
    installPlaywrightCoreIfMissing();
    clearScreenshots();

    // A short room heartbeat: a waiting room admits its first buyers a couple of heartbeats after its start.
    FlashSaleNode.Running running = TestNodes.single(TestDatabase.fresh("browser"), Clock.systemUTC(),
        Map.of("flashsale.waiting-room.heartbeat", "1s", "flashsale.waiting-room.abandon-after", "3s"));
    try {
      long started = System.nanoTime();
      int exit = run(List.of(node, "run.mjs"), Map.of(
          "FLASHSALE_BASE_URL", "http://127.0.0.1:" + running.httpPort(),
          "FLASHSALE_CHROMIUM", CHROMIUM,
          "FLASHSALE_SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString(),
          "FLASHSALE_ADMIN_EMAIL", FlashSaleFixture.ADMIN_EMAIL,
          "FLASHSALE_ADMIN_PASSWORD", FlashSaleFixture.ADMIN_PASSWORD), RUN_LIMIT);
      System.out.printf("BrowserIT: browser-tests ran %.1f s%n", (System.nanoTime() - started) / 1e9);
      assertThat(exit).as("browser-tests/run.mjs exit code (its output is above)").isZero();
    } finally {
      running.stop();
    }
    for (String file : SCREENSHOT_FILES) {
      assertThat(SCREENSHOTS.resolve(file)).as("screenshot " + file).isNotEmptyFile();
    }
  }

  /** The node binary, which must be Node.js 20 or newer (playwright-core refuses older ones). */
  private static String requireNode() throws InterruptedException {
    String version;
    try {
      Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      return fail("Node.js is missing: the browser tests need Node.js 20+ and npm "
          + "(`apt-get install -y nodejs npm` where that gives 20+, as .ci/run does, or NodeSource's nodejs 20)");
    }
    int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*$", "$1"));
    if (major < 20) {
      fail("Node.js " + version + " is too old: playwright-core needs Node.js 20+ (Debian 12's nodejs is 18; "
          + "install NodeSource's nodejs 20)");
    }
    return "node";
  }

  private static void requireChromium() {
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      fail(CHROMIUM + " is missing: the browser tests drive Debian's chromium (`apt-get install -y chromium`, "
          + "as .ci/run does; FLASHSALE_CHROMIUM names another binary). No browser is ever downloaded.");
    }
  }

  private static void installPlaywrightCoreIfMissing() throws Exception {
    if (Files.isDirectory(TESTS.resolve("node_modules").resolve("playwright-core"))) {
      return;
    }
    int exit;
    try {
      exit = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(3));
    } catch (IOException e) {
      exit = fail("npm is missing: the browser tests install playwright-core with npm (`apt-get install -y npm`)");
    }
    assertThat(exit).as("`npm ci` in browser-tests/ (installs the pinned playwright-core)").isZero();
  }

  private static void clearScreenshots() throws IOException {
    Files.createDirectories(SCREENSHOTS);
    try (var files = Files.list(SCREENSHOTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".png")).toList()) {
        Files.delete(file);
      }
    }
  }

  /** Runs a command in browser-tests/, streaming its output; kills it after {@code limit}. */
  private static int run(List<String> command, Map<String, String> env, Duration limit) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(TESTS.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(System.out::println);
      } catch (IOException ignored) {
        // the process ended
      }
    }, "browser-tests-output");
    pump.start();
    if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish within " + limit.toMinutes() + " min");
    }
    pump.join(5_000);
    return process.exitValue();
  }
}
