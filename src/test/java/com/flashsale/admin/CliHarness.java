package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.Main;
import com.flashsale.http.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code flashsale admin ...} in-process through the real {@link Main} command tree, as the jar
 * would, with captured stdout and stderr, its own environment (a temporary FLASHSALE_CONFIG_DIR) and,
 * if a test says so, a terminal that types a password.
 */
final class CliHarness {

  /** One run: the exit code and everything printed. */
  record Result(int exit, String out, String err) {

    JsonNode json() {
      try {
        return Json.MAPPER.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("Not JSON: " + out, e);
      }
    }

    /** Exit 1 with one {@code flashsale admin: ...} message and no stack trace. */
    Result failed() {
      assertThat(exit).as("exit of %s", this).isEqualTo(1);
      assertThat(err).as("stderr of %s", this).startsWith("flashsale admin: ");
      assertNoStackTrace();
      return this;
    }

    /** Exit 2 with picocli's message and the usage. */
    Result misused() {
      assertThat(exit).as("exit of %s", this).isEqualTo(2);
      assertThat(err).as("stderr of %s", this).contains("Usage: flashsale admin");
      assertNoStackTrace();
      return this;
    }

    Result succeeded() {
      assertThat(exit).as("exit of %s", this).isEqualTo(0);
      assertThat(err).as("stderr of %s", this).isEmpty();
      return this;
    }

    void assertNoStackTrace() {
      assertThat(err).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private final Map<String, String> environment = new HashMap<>();
  private char[] typedPassword;

  CliHarness(Path configDirectory) {
    environment.put("FLASHSALE_CONFIG_DIR", configDirectory.toString());
  }

  CliHarness env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** A terminal on which {@code password} is typed when asked. */
  CliHarness terminalTyping(String password) {
    typedPassword = password.toCharArray();
    return this;
  }

  Path credentialsPath() {
    return Path.of(environment.get("FLASHSALE_CONFIG_DIR"), "credentials");
  }

  /** Runs {@code flashsale admin <args>}. */
  Result admin(String... args) {
    AdminCommand admin = new AdminCommand(environment,
        prompt -> typedPassword == null ? null : typedPassword.clone());
    CommandLine cli = new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == AdminCommand.class ? type.cast(admin) : CommandLine.defaultFactory().create(type);
      }
    });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> arguments = new ArrayList<>(List.of("admin"));
    arguments.addAll(List.of(args));
    int exit = cli.execute(arguments.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  /** The root of the admin command tree, for walking its subcommands. */
  static CommandLine adminCommandLine() {
    return new CommandLine(new Main()).getSubcommands().get("admin");
  }
}
