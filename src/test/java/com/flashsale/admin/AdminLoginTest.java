package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin login} and {@code logout} against a real node: what is saved, where, and which token is sent. */
class AdminLoginTest {

  static FlashSaleFixture app;

  @TempDir
  Path config;

  CliHarness cli;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("admin-login");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void harness() {
    cli = new CliHarness(config);
  }

  private String url() {
    return app.api.baseUrl();
  }

  private CliHarness.Result loginAsAdmin() {
    return cli.admin("login", "--url", url(), "--email", FlashSaleFixture.ADMIN_EMAIL,
        "--password", FlashSaleFixture.ADMIN_PASSWORD);
  }

  private JsonNode saved() throws IOException {
    return Json.MAPPER.readTree(Files.readString(cli.credentialsPath()));
  }

  @Test
  void savesTheServerAndAnAdminTokenReadableByTheOwnerOnly() throws IOException {
    CliHarness.Result result = loginAsAdmin().succeeded();

    assertThat(result.out()).contains("Logged in to " + url() + " as admin@flashsale.local (admin)");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.credentialsPath())))
        .isEqualTo("rw-------");
    assertThat(saved().get("url").asText()).isEqualTo(url());
    String token = saved().get("token").asText();
    assertThat(app.api.get("/api/me", token).json().get("role").asText()).isEqualTo("admin");
  }

  @Test
  void takesThePasswordFromTheEnvironment() {
    cli.env("FLASHSALE_ADMIN_PASSWORD", FlashSaleFixture.ADMIN_PASSWORD);

    cli.admin("login", "--url", url(), "--email", FlashSaleFixture.ADMIN_EMAIL).succeeded();

    assertThat(cli.credentialsPath()).exists();
  }

  @Test
  void asksForThePasswordOnTheTerminal() {
    cli.terminalTyping(FlashSaleFixture.ADMIN_PASSWORD);

    cli.admin("login", "--url", url(), "--email", FlashSaleFixture.ADMIN_EMAIL).succeeded();

    assertThat(cli.credentialsPath()).exists();
  }

  @Test
  void withoutAPasswordOrATerminalIsAUsageError() {
    CliHarness.Result result = cli.admin("login", "--url", url(), "--email", FlashSaleFixture.ADMIN_EMAIL).misused();

    assertThat(result.err()).startsWith("Missing password: give --password, set FLASHSALE_ADMIN_PASSWORD");
    assertThat(cli.credentialsPath()).doesNotExist();
  }

  @Test
  void reportsBadCredentialsAndSavesNothing() {
    CliHarness.Result result = cli.admin("login", "--url", url(), "--email", FlashSaleFixture.ADMIN_EMAIL,
        "--password", "wrong-password").failed();

    assertThat(result.err()).matches("flashsale admin: Wrong email or password: .+ \\(BAD_CREDENTIALS\\)\\R");
    assertThat(cli.credentialsPath()).doesNotExist();
  }

  @Test
  void refusesACustomerAndKeepsTheSavedAdminLogin() throws IOException {
    app.register("ann@example.com");
    loginAsAdmin().succeeded();
    String adminToken = saved().get("token").asText();

    CliHarness.Result result = cli.admin("login", "--url", url(), "--email", "ann@example.com",
        "--password", "password-123").failed();

    assertThat(result.err()).isEqualToIgnoringNewLines(
        "flashsale admin: ann@example.com is not an admin (role customer); nothing saved");
    assertThat(saved().get("token").asText()).isEqualTo(adminToken);
  }

  @Test
  void laterCommandsUseTheSavedServerAndToken() {
    loginAsAdmin().succeeded();

    CliHarness.Result result = cli.admin("products", "create", "--name", "Lamp", "--description", "Bright",
        "--price", "12.50", "--json").succeeded();

    String id = result.json().get("id").asText();
    assertThat(app.api.get("/api/products/" + id, null).json().get("name").asText()).isEqualTo("Lamp");
  }

  @Test
  void neverSendsTheSavedTokenToAnotherServer() {
    loginAsAdmin().succeeded();
    String elsewhere = "http://127.0.0.1:" + TestNodes.freePort();

    CliHarness.Result result = cli.admin("products", "create", "--url", elsewhere, "--name", "Lamp",
        "--description", "Bright", "--price", "12.50").failed();

    assertThat(result.err()).contains("not logged in to " + elsewhere + " (the saved login is for " + url() + ")")
        .contains("admin login --url " + elsewhere);
  }

  @Test
  void flashsaleTokenTakesPrecedenceOverTheSavedLogin() {
    loginAsAdmin().succeeded();
    cli.env("FLASHSALE_TOKEN", app.newBuyerToken());

    CliHarness.Result result = cli.admin("products", "create", "--name", "Lamp", "--description", "Bright",
        "--price", "12.50").failed();

    assertThat(result.err()).startsWith("flashsale admin: Forbidden: ").contains("(FORBIDDEN)");
  }

  @Test
  void anInvalidTokenIsUnauthorizedWithAHintToLogInAgain() {
    cli.env("FLASHSALE_URL", url()).env("FLASHSALE_TOKEN", "not-a-jwt");

    CliHarness.Result result = cli.admin("sales", "stats", "8a6e0804-2bd0-4672-b79d-d97027f9071a").failed();

    assertThat(result.err()).contains("(UNAUTHORIZED)").contains("log in again: flashsale admin login");
  }

  @Test
  void logoutRemovesTheSavedLogin() {
    loginAsAdmin().succeeded();

    CliHarness.Result result = cli.admin("logout").succeeded();

    assertThat(result.out()).contains("Logged out: removed " + cli.credentialsPath());
    assertThat(cli.credentialsPath()).doesNotExist();
    assertThat(cli.admin("sales", "cancel", "8a6e0804-2bd0-4672-b79d-d97027f9071a").failed().err())
        .contains("not logged in");
  }

  @Test
  void logoutWithoutALoginSaysSo() {
    assertThat(cli.admin("logout").succeeded().out()).startsWith("Not logged in");
  }
}
