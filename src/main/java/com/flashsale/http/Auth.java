package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;

import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.flashsale.account.Principal;
import com.flashsale.account.TokenService;
import java.util.Optional;
import java.util.function.Function;

/**
 * Bearer-token directives: a valid token is enough to know the caller (no database read). Each
 * authenticated request counts against the caller's own rate limit.
 */
public final class Auth {

  private static final String BEARER = "Bearer ";

  private final TokenService tokens;
  private final RateLimits limits;

  public Auth(TokenService tokens, RateLimits limits) {
    this.tokens = tokens;
    this.limits = limits;
  }

  public Route authenticated(Function<Principal, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<Principal> principal = header
          .filter(value -> value.regionMatches(true, 0, BEARER, 0, BEARER.length()))
          .flatMap(value -> tokens.verify(value.substring(BEARER.length()).strip()));
      return principal.map(caller -> limits.perUser(caller.userId(), () -> inner.apply(caller)))
          .orElseGet(() -> complete(Problem.constant(ErrorCode.UNAUTHORIZED,
              header.isPresent() ? "The token is invalid or expired" : "A bearer token is required")));
    });
  }

  public Route admin(Function<Principal, Route> inner) {
    return authenticated(principal -> principal.isAdmin()
        ? inner.apply(principal)
        : complete(Problem.constant(ErrorCode.FORBIDDEN, "This needs an admin")));
  }
}
