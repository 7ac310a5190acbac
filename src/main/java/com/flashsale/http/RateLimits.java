package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractRequest;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.server.Route;
import com.flashsale.ErrorCode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Per-client token buckets (bucket4j): one per client IP over every {@code /api} request, one per client IP
 * over logins and registrations, one per signed-in user over every authenticated request. A client over its rate gets 429 RATE_LIMITED with
 * the seconds until its bucket has a token again in {@code Retry-After}. Buckets live in a bounded
 * cache (Caffeine), so memory stays bounded whatever the number of clients; an evicted client starts
 * again with a full bucket. Limits are per node: behind nginx (least connections) a client's effective
 * rate is at most the node count times this. Switched off, every request passes.
 */
public final class RateLimits {

  /** Requests per second and burst of one kind of bucket. */
  public record Rate(int perSecond, int burst) {

    static Rate fromConfig(Config config) {
      return new Rate(config.getInt("per-second"), config.getInt("burst"));
    }
  }

  /**
   * @param clientIpHeader the header naming the client (set by nginx); empty, a request without it, or one
   *     from a peer outside {@code trustedProxies}, uses the TCP peer's address
   * @param trustedProxies comma-separated CIDRs of the proxies whose header is believed
   */
  public record Settings(boolean enabled, Rate perUser, Rate perIp, Rate perIpSignIn, String clientIpHeader,
      String trustedProxies, long maxClients, Rate perIpJoin, Rate perUserJoin) {

    public static Settings fromConfig(Config config) {
      Config limits = config.getConfig("flashsale.rate-limits");
      return new Settings(limits.getBoolean("enabled"), Rate.fromConfig(limits.getConfig("per-user")),
          Rate.fromConfig(limits.getConfig("per-ip")), Rate.fromConfig(limits.getConfig("per-ip-sign-in")),
          limits.getString("client-ip-header"), limits.getString("trusted-proxies"), limits.getLong("max-clients"),
          Rate.fromConfig(limits.getConfig("per-ip-join")), Rate.fromConfig(limits.getConfig("per-user-join")));
    }

    public static Settings off() {
      return new Settings(false, new Rate(1, 1), new Rate(1, 1), new Rate(1, 1), "", "", 1, new Rate(1, 1),
          new Rate(1, 1));
    }
  }

  private final Settings settings;
  private final Cache<String, Bucket> users;
  private final Cache<String, Bucket> addresses;
  private final Cache<String, Bucket> signIns;
  private final Cache<String, Bucket> joinsByAddress;
  private final Cache<String, Bucket> joinsByUser;
  private final TrustedProxies trustedProxies;

  public RateLimits(Settings settings) {
    this.settings = settings;
    this.trustedProxies = TrustedProxies.parse(settings.trustedProxies());
    this.users = cache(settings.maxClients());
    this.addresses = cache(settings.maxClients());
    this.signIns = cache(settings.maxClients());
    this.joinsByAddress = cache(settings.maxClients());
    this.joinsByUser = cache(settings.maxClients());
  }

  /** Whether the limits apply at all (off for benchmarks and most tests). */
  public boolean enabled() {
    return settings.enabled();
  }

  private static Cache<String, Bucket> cache(long maxClients) {
    return Caffeine.newBuilder().maximumSize(maxClients).expireAfterAccess(Duration.ofMinutes(10)).build();
  }

  /** Every request of the client IP counts against its bucket. */
  public Route perClientIp(Supplier<Route> inner) {
    return perAddress(addresses, settings.perIp(), inner);
  }

  /**
   * Logins and registrations of the client IP count against a bucket of their own, far smaller than the
   * general one: each costs a password hash, so a client gets few of them.
   */
  public Route perClientIpSignIn(Supplier<Route> inner) {
    return perAddress(signIns, settings.perIpSignIn(), inner);
  }

  /**
   * Joining a waiting room, per client IP and per account, on top of the general buckets: each join is a
   * place in a queue, so a client gets few of them whatever proofs of work it can afford.
   */
  public Route perJoin(String userId, Supplier<Route> inner) {
    return perAddress(joinsByAddress, settings.perIpJoin(), () -> settings.enabled()
        ? limited(joinsByUser, userId, settings.perUserJoin(), inner)
        : inner.get());
  }

  private Route perAddress(Cache<String, Bucket> buckets, Rate rate, Supplier<Route> inner) {
    if (!settings.enabled()) {
      return inner.get();
    }
    return extractRequest(request -> limited(buckets, clientIp(request), rate, inner));
  }

  /** The client's address as the limits count it (see {@link #clientIp}), for other per-client bounds. */
  public Route withClientAddress(Function<String, Route> inner) {
    return extractRequest(request -> inner.apply(clientIp(request)));
  }

  /** Every request of the signed-in user counts against their bucket. */
  public Route perUser(String userId, Supplier<Route> inner) {
    if (!settings.enabled()) {
      return inner.get();
    }
    return limited(users, userId, settings.perUser(), inner);
  }

  private static Route limited(Cache<String, Bucket> buckets, String client, Rate rate, Supplier<Route> inner) {
    ConsumptionProbe probe = buckets.get(client, key -> bucket(rate)).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return inner.get();
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
    return complete(Problem.retryLater(ErrorCode.RATE_LIMITED, "Too many requests; retry after " + seconds + " s",
        seconds));
  }

  private static Bucket bucket(Rate rate) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(rate.burst()).refillGreedy(rate.perSecond(), Duration.ofSeconds(1)))
        .build();
  }

  /** The header's address when a trusted proxy sent it and it is an address, else the TCP peer's. */
  private String clientIp(HttpRequest request) {
    Optional<InetAddress> peer = request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
    if (!settings.clientIpHeader().isEmpty() && peer.isPresent() && trustedProxies.trusts(peer.get())) {
      Optional<InetAddress> client = request.getHeader(settings.clientIpHeader())
          .flatMap(header -> TrustedProxies.literal(header.value().strip()));
      if (client.isPresent()) {
        return client.get().getHostAddress();
      }
    }
    return peer.map(InetAddress::getHostAddress).orElse("unknown");
  }
}
