package com.flashsale.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code admin login}: logs in through the API, checks the user is an admin, and saves the server and
 * token in the credentials file for the other commands. A refused login leaves any saved one alone.
 */
@Command(name = "login",
    description = {"Log in as an admin and save the token: POST /api/auth/login.",
        "The password: --password, else FLASHSALE_ADMIN_PASSWORD, else asked for",
        "without echo. The server and token are saved, readable by you only, in",
        "$FLASHSALE_CONFIG_DIR/credentials (default ~/.config/flashsale/)."})
final class LoginCommand extends ApiCommand {

  @Option(names = "--email", required = true, paramLabel = "EMAIL", description = "The admin's email.")
  String email;

  @Option(names = "--password", paramLabel = "PASSWORD",
      description = "The password (visible to other users in the process list: prefer the variable or the prompt).")
  String password;

  @Override
  protected void run() {
    String secret = password();
    AdminClient client = anonymous();
    JsonNode session = client.post("/api/auth/login", Map.of("email", email, "password", secret));
    String role = session.at("/user/role").asText("");
    if (!role.equals("admin")) {
      throw new AdminFailure(email + " is not an admin (role " + (role.isEmpty() ? "unknown" : role)
          + "); nothing saved");
    }
    CredentialsFile file = credentials();
    file.write(new CredentialsFile.Credentials(client.server(), session.at("/token").asText()));
    out().println("Logged in to " + client.server() + " as " + session.at("/user/email").asText(email)
        + " (admin); token saved in " + file.path());
    if (admin().env("FLASHSALE_TOKEN") != null) {
      out().println("Note: FLASHSALE_TOKEN is set and is used instead of the saved token.");
    }
  }

  private String password() {
    if (password != null) {
      return password;
    }
    String fromEnvironment = admin().env("FLASHSALE_ADMIN_PASSWORD");
    if (fromEnvironment != null) {
      return fromEnvironment;
    }
    char[] typed = admin().terminal().readPassword("Password for " + email + ": ");
    if (typed == null || typed.length == 0) {
      throw usage("Missing password: give --password, set FLASHSALE_ADMIN_PASSWORD, or run in a terminal to be asked");
    }
    return new String(typed);
  }
}
