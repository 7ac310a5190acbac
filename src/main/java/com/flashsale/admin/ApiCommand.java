package com.flashsale.admin;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** An admin command that calls the API: its {@code --url} and the server and token it comes to. */
abstract class ApiCommand extends AdminAction {

  @Option(names = "--url", paramLabel = "URL", converter = ArgumentTypes.ServerUrl.class,
      description = "The API's base URL (default: FLASHSALE_URL, else the saved login's server, else the"
          + " local node; see `admin --help`).")
  URI url;

  protected final Session session() {
    return Session.resolve(url, admin(), credentials());
  }

  /** A client with the admin's token; without a login this fails, telling to run {@code admin login}. */
  protected final AdminClient asAdmin() {
    Session session = session();
    return new AdminClient(session.server(), session.requireToken());
  }

  /** {@code path} with the query of the set {@code name, value} pairs (nulls left out), values URL-encoded. */
  protected static String withQuery(String path, Object... namesAndValues) {
    List<String> query = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        query.add(namesAndValues[i] + "=" + URLEncoder.encode(namesAndValues[i + 1].toString(), StandardCharsets.UTF_8));
      }
    }
    return query.isEmpty() ? path : path + "?" + String.join("&", query);
  }

  /** A client without a token, for the public reads. */
  protected final AdminClient anonymous() {
    return new AdminClient(session().server(), null);
  }
}
