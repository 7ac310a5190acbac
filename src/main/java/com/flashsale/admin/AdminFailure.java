package com.flashsale.admin;

/**
 * Why an admin command could not do its job, worded for the person at the terminal: the API's
 * problem answer, an unreachable server, a missing login. {@link AdminAction} prints it on stderr
 * and exits with 1.
 */
final class AdminFailure extends RuntimeException {

  AdminFailure(String message) {
    super(message, null, false, false);
  }

  static AdminFailure notLoggedIn() {
    return new AdminFailure("not logged in: run `flashsale admin login --email <admin email>` first"
        + " (or set FLASHSALE_TOKEN)");
  }

  static AdminFailure loggedInElsewhere(String server, String savedServer) {
    return new AdminFailure("not logged in to " + server + " (the saved login is for " + savedServer
        + "): run `flashsale admin login --url " + server + " --email <admin email>`");
  }

  static AdminFailure unreachable(String server, String reason) {
    return new AdminFailure("cannot reach the FlashSale API at " + server + " (" + reason
        + "): is a node running there? Set --url or FLASHSALE_URL");
  }
}
