package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.TestNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The command line without a server: help everywhere, bad input stopped before any call (exit 2),
 * and the failures that need no answer (not logged in, nobody listening) as one clear line (exit 1).
 */
class AdminCommandLineTest {

  private static final String SALE = "8a6e0804-2bd0-4672-b79d-d97027f9071a";

  @TempDir
  Path config;

  CliHarness cli;

  @BeforeEach
  void harness() {
    cli = new CliHarness(config);
  }

  /** Every command under {@code admin}, as the words that name it ({@code [sales, add-stock]}). */
  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    collect(CliHarness.adminCommandLine(), new ArrayList<>(), paths);
    return paths.stream();
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    Set<CommandLine> children = new LinkedHashSet<>(command.getSubcommands().values()); // aliases map twice
    for (CommandLine child : children) {
      List<String> childPath = new ArrayList<>(path);
      childPath.add(child.getCommandName());
      collect(child, childPath, paths);
    }
  }

  @Test
  void theTreeHasEveryCommandOfTheIssue() {
    assertThat(commands().map(path -> String.join(" ", path))).containsExactly("", "login", "logout",
        "products", "products list", "products create",
        "sales", "sales list", "sales create", "sales move", "sales add-stock", "sales cancel", "sales stats",
        "sales history", "sales room");
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandHasHelp(List<String> path) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");

    CliHarness.Result result = cli.admin(args.toArray(String[]::new)).succeeded();

    assertThat(result.out()).startsWith(String.join(" ", Stream.concat(Stream.of("Usage: flashsale admin"),
        path.stream()).toList()));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandThatCallsTheApiNamesTheCall(List<String> path) {
    CommandLine command = CliHarness.adminCommandLine();
    for (String word : path) {
      command = command.getSubcommands().get(word);
    }
    if (command.getCommand() instanceof ApiCommand) {
      assertThat(command.getUsageMessage()).containsPattern("(GET|POST|PATCH) /api/");
    }
  }

  @Test
  void scheduleIsAnotherNameForCreate() {
    assertThat(cli.admin("sales", "schedule", "--help").succeeded().out())
        .startsWith("Usage: flashsale admin sales create");
  }

  @ParameterizedTest
  @MethodSource("groups")
  void aGroupWithoutACommandIsAUsageError(List<String> group) {
    CliHarness.Result result = cli.admin(group.toArray(String[]::new)).misused();

    assertThat(result.err()).startsWith("Missing required subcommand");
  }

  static Stream<List<String>> groups() {
    return Stream.of(List.of(), List.of("products"), List.of("sales"));
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(List.of("sales", "stats", "not-a-uuid"), "'not-a-uuid' is not an id (a UUID"),
        Arguments.of(List.of("sales", "cancel", SALE + "x"), "is not an id"),
        Arguments.of(List.of("sales", "create", "--product", "42", "--stock", "1", "--starts-at", "+1h",
            "--ends-at", "+2h"), "Invalid value for option '--product': '42' is not an id"),
        Arguments.of(List.of("sales", "create", "--product", SALE, "--stock", "1", "--starts-at", "tomorrow",
            "--ends-at", "+2h"), "Invalid value for option '--starts-at': 'tomorrow' is not a time: give an ISO-8601"),
        Arguments.of(List.of("sales", "move", SALE, "--ends-at", "2026-13-01T00:00:00Z"), "is not a time"),
        Arguments.of(List.of("sales", "create", "--product", SALE, "--stock", "-3", "--starts-at", "+1h",
            "--ends-at", "+2h"), "Invalid value for option '--stock': '-3' is not a whole number above 0"),
        Arguments.of(List.of("sales", "create", "--product", SALE, "--stock", "0", "--starts-at", "+1h",
            "--ends-at", "+2h"), "'0' is not a whole number above 0"),
        Arguments.of(List.of("sales", "add-stock", SALE, "-3"), "'-3' is not a whole number above 0"),
        Arguments.of(List.of("sales", "add-stock", SALE, "many"), "'many' is not a whole number above 0"),
        Arguments.of(List.of("sales", "list", "--status", "open"),
            "'open' is not a status: give upcoming, live or ended"),
        Arguments.of(List.of("sales", "move", SALE), "Missing option: give --starts-at, --ends-at or both"),
        Arguments.of(List.of("sales", "create", "--product", SALE, "--stock", "1"),
            "Missing required options: '--starts-at=TIME', '--ends-at=TIME'"),
        Arguments.of(List.of("products", "create", "--name", "Lamp"), "Missing required options"),
        Arguments.of(List.of("products", "list", "--url", "ftp://example.com"),
            "'ftp://example.com' is not an http(s) URL"),
        Arguments.of(List.of("login", "--password", "secret"), "Missing required option: '--email=EMAIL'"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void badInputIsAUsageErrorWithAClearMessage(List<String> args, String message) {
    CliHarness.Result result = cli.admin(args.toArray(String[]::new)).misused();

    assertThat(result.err()).contains(message);
    assertThat(result.out()).isEmpty();
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithSuggestions() {
    CliHarness.Result result = cli.admin("sales", "launch");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).startsWith("Unmatched argument at index 2: 'launch'").contains("Did you mean: sales");
  }

  @Test
  void withoutALoginAnAdminCommandSaysToLogIn() {
    CliHarness.Result result = cli.admin("sales", "cancel", SALE).failed();

    assertThat(result.err()).isEqualToIgnoringNewLines("flashsale admin: not logged in: run "
        + "`flashsale admin login --email <admin email>` first (or set FLASHSALE_TOKEN)");
  }

  @Test
  void aServerNobodyListensOnIsUnreachable() {
    String url = "http://127.0.0.1:" + TestNodes.freePort();

    CliHarness.Result result = cli.admin("products", "list", "--url", url).failed();

    assertThat(result.err()).isEqualToIgnoringNewLines("flashsale admin: cannot reach the FlashSale API at " + url
        + " (connection refused): is a node running there? Set --url or FLASHSALE_URL");
  }

  @Test
  void anAdminCommandWithATokenReportsAnUnreachableServerToo() {
    String url = "http://127.0.0.1:" + TestNodes.freePort();
    cli.env("FLASHSALE_URL", url).env("FLASHSALE_TOKEN", "some-token");

    assertThat(cli.admin("sales", "stats", SALE).failed().err()).contains("cannot reach the FlashSale API at " + url);
  }

  @Test
  void aBadFlashsaleUrlIsReported() {
    cli.env("FLASHSALE_URL", "localhost:8080");

    assertThat(cli.admin("products", "list").failed().err())
        .contains("FLASHSALE_URL: 'localhost:8080' is not an http(s) URL");
  }
}
