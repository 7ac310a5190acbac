package com.flashsale.admin;

import picocli.CommandLine.Command;

/**
 * {@code admin logout}: forgets the saved login. The API keeps no sessions (tokens are signed JWTs), so
 * there is nothing to call: the token stays valid until it expires, but this machine no longer has it.
 */
@Command(name = "logout",
    description = {"Remove the saved login (no API call).",
        "The API keeps no sessions: the token stays valid until it expires, but",
        "this machine no longer has it. FLASHSALE_TOKEN is not affected."})
final class LogoutCommand extends AdminAction {

  @Override
  protected void run() {
    CredentialsFile file = credentials();
    if (file.delete()) {
      out().println("Logged out: removed " + file.path());
    } else {
      out().println("Not logged in (no " + file.path() + ")");
    }
  }
}
