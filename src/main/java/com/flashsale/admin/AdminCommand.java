package com.flashsale.admin;

import java.io.Console;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flashsale admin}: the admin command line. It talks only to the public HTTP API (docs/api.md), never
 * to the database, so it works against any node or the nginx in front of a cluster. This group holds
 * what the subcommands read from their surroundings, the environment and the terminal, so tests can
 * give their own; a group without a subcommand is a usage error (exit 2).
 */
@Command(name = "admin",
    description = "Administer products and flash sales through the HTTP API (never the database).",
    subcommands = {LoginCommand.class, LogoutCommand.class, ProductsCommand.class, SalesCommand.class},
    footer = {"",
        "Server: --url, else FLASHSALE_URL, else the saved login's server,",
        "        else " + Session.DEFAULT_URL + ".",
        "Token:  FLASHSALE_TOKEN, else the one `admin login` saved in",
        "        $FLASHSALE_CONFIG_DIR/credentials (default ~/.config/flashsale/),",
        "        only ever sent to the server that issued it.",
        "Output: aligned tables; --json prints the API's JSON answer instead.",
        "Exit:   0 done; 1 the API refused or could not be reached (message on",
        "        stderr); 2 bad usage (message and usage)."})
public final class AdminCommand {

  @Mixin
  HelpOption help;


  /** Asks for a password without echo; answers null when there is no terminal to ask on. */
  public interface Terminal {
    char[] readPassword(String prompt);

    static Terminal console() {
      return prompt -> {
        Console console = System.console();
        return console == null ? null : console.readPassword("%s", prompt);
      };
    }
  }

  private final Map<String, String> environment;
  private final Terminal terminal;

  public AdminCommand() {
    this(System.getenv(), Terminal.console());
  }

  public AdminCommand(Map<String, String> environment, Terminal terminal) {
    this.environment = Map.copyOf(environment);
    this.terminal = terminal;
  }

  /** An environment variable, or null when unset or blank. */
  String env(String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  Terminal terminal() {
    return terminal;
  }

  /** The {@code admin} command a subcommand runs under (a default one when run on its own). */
  static AdminCommand of(CommandSpec spec) {
    for (CommandSpec command = spec; command != null; command = command.parent()) {
      if (command.userObject() instanceof AdminCommand admin) {
        return admin;
      }
    }
    return new AdminCommand();
  }
}
