package com.flashsale.account;

import static akka.http.javadsl.server.Directives.complete;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.Fields;
import com.flashsale.http.Json;
import com.flashsale.http.JsonBody;
import com.flashsale.http.Problem;
import com.flashsale.http.RateLimits;
import com.flashsale.http.Routes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Registering, signing in and reading one's own account. Logins and registrations have a per-IP limit of
 * their own, and an account's logins from one address slow down after wrong passwords ({@link LoginBackoff}).
 */
public final class AccountRoutes {

  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

  private final Accounts accounts;
  private final Auth auth;
  private final JsonBody json;
  private final RateLimits limits;
  private final LoginBackoff backoff;

  public AccountRoutes(Accounts accounts, Auth auth, JsonBody json, RateLimits limits, LoginBackoff backoff) {
    this.accounts = accounts;
    this.limits = limits;
    this.backoff = backoff;
    this.auth = auth;
    this.json = json;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post("/api/auth/register", () -> limits.perClientIpSignIn(() -> json.object(this::register))),
        Endpoint.post("/api/auth/login", () -> limits.perClientIpSignIn(() -> json.object(this::login))),
        Endpoint.get("/api/me", () -> auth.authenticated(this::me)));
  }

  private Route register(Fields body) {
    String email = email(body);
    String password = body.string("password", 8, 200);
    String name = body.string("name", 1, 200);
    body.validate();
    return Routes.completeAsync(accounts.register(email, password, name),
        session -> Json.response(StatusCodes.CREATED, session));
  }

  private Route login(Fields body) {
    String email = body.string("email", 1, 254);
    String password = body.string("password", 1, 200);
    String account = email == null ? null : email.toLowerCase(Locale.ROOT);
    body.validate();
    // Wrong passwords slow down the account from the address they came from: keyed by the account alone,
    // anyone could lock its owner out by failing on purpose.
    return limits.withClientAddress(address -> {
      String attempts = account + " from " + address;
      Optional<Duration> wait = backoff.waitBefore(attempts);
      if (wait.isPresent()) {
        long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
        return complete(Problem.retryLater(ErrorCode.RATE_LIMITED,
            "Too many wrong passwords for this account; retry after " + seconds + " s", seconds));
      }
      return Routes.completeAsync(accounts.login(account, password).thenApply(outcome -> {
        if (outcome instanceof Outcome.Ok) {
          backoff.succeeded(attempts);
        } else if (outcome instanceof Outcome.Rejected<?> rejected && rejected.code() == ErrorCode.BAD_CREDENTIALS) {
          backoff.failed(attempts);
        }
        return outcome;
      }), Json::ok);
    });
  }

  private Route me(Principal principal) {
    HttpResponse unknown = Problem.response(ErrorCode.UNAUTHORIZED, "The token names no registered user");
    return Routes.parseUuid(principal.userId())
        .map(id -> Routes.completeAsync(accounts.find(id).thenApply(user -> user.map(Json::ok).orElse(unknown))))
        .orElseGet(() -> complete(unknown));
  }

  /** Emails are compared lower-cased; the length limit applies to the lower-cased form that is stored. */
  private static String email(Fields body) {
    String email = body.string("email", 3, 254);
    if (email == null) {
      return null;
    }
    String normalised = email.toLowerCase(Locale.ROOT);
    if (normalised.length() > 254 || !EMAIL.matcher(normalised).matches()) {
      body.reject("email", "must be an email address of at most 254 characters");
    }
    return normalised;
  }
}
