package com.flashsale.admin;

import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.TypeConversionException;

/**
 * Which server a command talks to and with which token, the precedence rules in one place. The server:
 * {@code --url}, else FLASHSALE_URL, else the server of the saved login, else {@link #DEFAULT_SERVER}.
 * The token: FLASHSALE_TOKEN, else the saved login's, which is only ever sent to the server that issued
 * it (an admin token must not leak to whatever {@code --url} names).
 */
record Session(URI server, String token, Optional<CredentialsFile.Credentials> saved) {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final URI DEFAULT_SERVER = URI.create(DEFAULT_URL);

  static Session resolve(URI urlOption, AdminCommand admin, CredentialsFile file) {
    Optional<CredentialsFile.Credentials> saved = file.read();
    URI server = urlOption != null ? urlOption
        : admin.env("FLASHSALE_URL") != null ? fromEnvironment(admin.env("FLASHSALE_URL"))
        : saved.map(CredentialsFile.Credentials::server).orElse(DEFAULT_SERVER);
    String token = admin.env("FLASHSALE_TOKEN");
    if (token == null) {
      token = saved.filter(login -> login.server().equals(server)).map(CredentialsFile.Credentials::token).orElse(null);
    }
    return new Session(server, token, saved);
  }

  private static URI fromEnvironment(String url) {
    try {
      return ArgumentTypes.parseUrl(url);
    } catch (TypeConversionException e) {
      throw new AdminFailure("FLASHSALE_URL: " + e.getMessage());
    }
  }

  /** The token, or a failure telling how to log in. */
  String requireToken() {
    if (token != null) {
      return token;
    }
    throw saved.isPresent()
        ? AdminFailure.loggedInElsewhere(server.toString(), saved.get().server().toString())
        : AdminFailure.notLoggedIn();
  }
}
