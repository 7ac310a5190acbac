package com.flashsale.warmup;

import akka.actor.typed.ActorSystem;
import com.flashsale.Outcome;
import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import com.flashsale.ops.Metrics;
import com.flashsale.sale.SaleClient;
import com.flashsale.sale.SaleTerms;
import com.flashsale.sale.WarmupSales;
import com.flashsale.storage.Database;
import com.typesafe.config.Config;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import akka.NotUsed;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.Authorization;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.japi.Pair;
import akka.stream.javadsl.Source;
import java.util.Iterator;
import scala.util.Try;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A starting node's warm-up. A node that has served nothing yet answers a flash crowd's first seconds at a third of
 * its warm speed while its JIT compiles. So before it says ready ({@code /health/ready}), it sends its own HTTP port
 * what a flash sale sends: purchases by thousands of buyers (each its own token, its own client address, so rate
 * limits see them as the crowd they play) at a live sale, purchases answered at the edge (a sale not started yet),
 * bad tokens, health checks, reads and event streams of the sale. The load stops once the JIT has settled (its
 * compilation time grows by less than {@code settled} in a second, after {@code min-duration}) or 5 s before
 * {@code max-duration}; then, without load, the JIT compiles what it queued, until it settles or the bound.
 *
 * <p>Nothing of it stays visible. The sales it buys from are {@link WarmupSales}: ids only this process knows, and
 * only until the warm-up ends; their entities write to the warm-up tables, which nothing else reads (rows older than
 * an hour are deleted by the next warm-up); no other node hears of them; and the request, purchase and batch meters
 * start from zero after it. Run once per node start by {@code FlashSaleNode}, on a thread of its own; a failure ends
 * the warm-up early (logged) and never the node.
 */
public final class Warmup {

  private static final Logger log = LoggerFactory.getLogger(Warmup.class);

  /** The last part of the warm-up, without load: the JIT compiles what it queued (measured: about 4 s of it). */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  /** Live sales it opens; a round of all its buyers buys from one of them. */
  private static final int LIVE_SALES = 8;

  /** The buyers' client addresses: the benchmarking range (RFC 2544), which no real client has. */
  private static final int ADDRESSES = 4096;

  public record Settings(boolean enabled, Duration minDuration, Duration maxDuration, Duration settled,
      int concurrency, int buyers) {

    public static Settings fromConfig(Config config) {
      Config warmup = config.getConfig("flashsale.warmup");
      return new Settings(warmup.getBoolean("enabled"), warmup.getDuration("min-duration"),
          warmup.getDuration("max-duration"), warmup.getDuration("settled"), warmup.getInt("concurrency"),
          warmup.getInt("buyers"));
    }
  }

  private final Settings settings;
  private final ActorSystem<?> system;
  private final SaleClient sales;
  private final WarmupSales warmups;
  private final TokenService tokens;
  private final Metrics metrics;
  private final Database db;
  private final Clock clock;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private Warmup(Settings settings, ActorSystem<?> system, SaleClient sales, WarmupSales warmups, TokenService tokens,
      Metrics metrics, Database db, Clock clock) {
    this.settings = settings;
    this.system = system;
    this.sales = sales;
    this.warmups = warmups;
    this.tokens = tokens;
    this.metrics = metrics;
    this.db = db;
    this.clock = clock;
  }

  /** Starts warming up the node whose HTTP port is at {@code baseUrl}; done at once when switched off. */
  public static Warmup start(Settings settings, ActorSystem<?> system, SaleClient sales, WarmupSales warmups,
      TokenService tokens, Metrics metrics, Database db, Clock clock, String baseUrl) {
    Warmup warmup = new Warmup(settings, system, sales, warmups, tokens, metrics, db, clock);
    if (!settings.enabled()) {
      warmup.done.complete(null);
      return warmup;
    }
    Thread thread = new Thread(() -> warmup.run(baseUrl), "flashsale-warmup");
    thread.setDaemon(true);
    thread.start();
    return warmup;
  }

  /** Whether the warm-up is over (or was never on): the node may say ready. */
  public boolean isDone() {
    return done.isDone();
  }

  private void run(String baseUrl) {
    long started = System.nanoTime();
    Map<Integer, LongAdder> answers = new ConcurrentSkipListMap<>();
    try {
      awaitUpMember();
      deleteOldRows();
      load(baseUrl, answers);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("The warm-up ended early: {}", e.toString());
    } finally {
      warmups.closeAll();
      metrics.forgetTraffic();
      done.complete(null);
      log.info("Warmed up in {} ms; its requests to itself, by status (0: no answer): {}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), answers);
    }
  }

  /** Sales need sharding, which runs once this node is an Up member. */
  private void awaitUpMember() throws Exception {
    CompletableFuture<Void> up = new CompletableFuture<>();
    akka.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> up.complete(null));
    up.get(settings.maxDuration().toSeconds() * 4, TimeUnit.SECONDS);
  }

  /** Warm-up events of earlier starts (an hour old or more), so the warm-up tables stay small. */
  private void deleteOldRows() {
    long before = clock.millis() - Duration.ofHours(1).toMillis();
    db.run(c -> {
      try (PreparedStatement events = c.prepareStatement("DELETE FROM warmup_event_journal WHERE write_timestamp < ?");
           PreparedStatement snapshots = c.prepareStatement("DELETE FROM warmup_snapshot WHERE created < ?")) {
        events.setLong(1, before);
        snapshots.setLong(1, before);
        return events.executeUpdate() + snapshots.executeUpdate();
      }
    }).toCompletableFuture().join();
  }

  /**
   * Sends the crowd's requests until the JIT settles or time is up, counting the answers by status. They go through
   * Akka HTTP's client pool ({@code concurrency} connections, each sending its next request when the last is
   * answered): a stream, as cheap per request as the server's side of it, which shares its code.
   */
  private void load(String base, Map<Integer, LongAdder> answers) throws Exception {
    List<HttpHeader> buyers = new ArrayList<>(settings.buyers());
    for (int i = 0; i < settings.buyers(); i++) {
      buyers.add(Authorization.oauth2(tokens.issue("warmup-" + UUID.randomUUID(), Role.CUSTOMER)));
    }
    Instant now = clock.instant();
    Instant ends = now.plus(settings.maxDuration()).plus(Duration.ofMinutes(1));
    UUID notStarted = open(now.plus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(1)));
    // Each buyer buys once per sale: a round of all buyers buys from the next sale (more rounds than time allows).
    List<UUID> live = new ArrayList<>();
    for (int i = 0; i < LIVE_SALES; i++) {
      live.add(open(now.minusSeconds(1), ends));
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    List<EventStream> streams = List.of(EventStream.open(http, base + "/api/sales/" + live.get(0) + "/events"),
        EventStream.open(http, base + "/api/sales/" + notStarted + "/events"));

    long started = System.nanoTime();
    // The load stops DRAIN before the bound, leaving the JIT time to compile what it queued under load.
    long loadEnds = started + Math.max(settings.minDuration().toNanos(), settings.maxDuration().minus(DRAIN).toNanos());
    JitWatch jit = new JitWatch(started);
    HttpHeader badToken = Authorization.oauth2("not-a-token");
    Iterator<HttpRequest> crowd = new Iterator<>() {
      long sent;
      int purchases;

      @Override
      public boolean hasNext() {
        return System.nanoTime() < loadEnds && !jit.settled(settings);
      }

      @Override
      public HttpRequest next() {
        UUID sale = live.get(purchases / buyers.size() % live.size());
        HttpHeader buyer = buyers.get(purchases % buyers.size());
        HttpRequest request = switch ((int) (sent % 10)) {
          case 6 -> purchase(base, notStarted, buyer);
          case 7 -> HttpRequest.GET(base + "/health/alive");
          case 8 -> HttpRequest.GET(base + "/api/sales/" + sale);
          case 9 -> purchase(base, sale, badToken);
          default -> purchase(base, sale, buyers.get(purchases++ % buyers.size()));
        };
        int address = (int) (sent++ % ADDRESSES);
        return request.addHeader(RawHeader.create("X-Real-IP", "198.18." + (address / 250) + "." + (address % 250 + 1)));
      }
    };
    ConnectionPoolSettings pool = ConnectionPoolSettings.create(system.classicSystem()).withMaxConnections(settings.concurrency())
        .withMaxOpenRequests(Integer.highestOneBit(settings.concurrency()) * 2);
    // Every answer is in when the stream completes: before the meters forget the warm-up and its sales' ids close.
    Source.fromIterator(() -> crowd)
        .map(request -> Pair.create(request, NotUsed.getInstance()))
        .via(Http.get(system).<NotUsed>superPool(pool, system.classicSystem().log()))
        .runForeach(answer -> {
          Try<HttpResponse> response = answer.first();
          answers.computeIfAbsent(response.isSuccess() ? response.get().status().intValue() : 0,
              status -> new LongAdder()).increment();
          if (response.isSuccess()) {
            response.get().discardEntityBytes(system);
          }
        }, system)
        .toCompletableFuture().get(settings.maxDuration().toSeconds() + 30, TimeUnit.SECONDS);
    streams.forEach(EventStream::close);
    while (System.nanoTime() - started < settings.maxDuration().toNanos() && !jit.settled(settings)) {
      Thread.sleep(100); // the JIT's compilation time is read, not waited on
    }
  }

  /**
   * Whether the JIT has settled: its compilation time grew by less than {@code settled} over the last second, at
   * least {@code min-duration} after the start.
   */
  private static final class JitWatch {
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final long started;
    private long since;
    private long compiledThen;
    private boolean settled;

    JitWatch(long started) {
      this.started = started;
      this.since = started;
      this.compiledThen = jit.getTotalCompilationTime();
    }

    boolean settled(Settings settings) {
      long now = System.nanoTime();
      if (now - since >= TimeUnit.SECONDS.toNanos(1)) {
        long compiled = jit.getTotalCompilationTime();
        settled = now - started >= settings.minDuration().toNanos()
            && compiled - compiledThen < settings.settled().toMillis();
        since = now;
        compiledThen = compiled;
      }
      return settled;
    }
  }

  /** A new warm-up sale of the most units a sale may have, one per buyer, holds of the shortest time. */
  private UUID open(Instant startsAt, Instant endsAt) {
    UUID saleId = warmups.open();
    SaleTerms terms = new SaleTerms(UUID.randomUUID().toString(), BigDecimal.ONE, 1_000_000, startsAt, endsAt, 1, 10,
        null);
    Outcome<?> created = sales.create(saleId, terms, "warmup").toCompletableFuture().join();
    if (created instanceof Outcome.Rejected<?> rejected) {
      throw new IllegalStateException("a warm-up sale was refused: " + rejected);
    }
    return saleId;
  }

  private static HttpRequest purchase(String base, UUID saleId, HttpHeader buyer) {
    return HttpRequest.POST(base + "/api/sales/" + saleId + "/purchase").addHeader(buyer);
  }

  /** A sale's event stream (JDK client: a stream that stays open), read and dropped until closed. */
  private record EventStream(CompletableFuture<java.net.http.HttpResponse<InputStream>> response) {

    static EventStream open(HttpClient http, String url) {
      java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(URI.create(url))
          .header("Accept", "text/event-stream").header("X-Real-IP", "198.18.200.1").GET().build();
      CompletableFuture<java.net.http.HttpResponse<InputStream>> response =
          http.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      response.thenAcceptAsync(answer -> {
        try (InputStream body = answer.body()) {
          body.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException closed) {
          // closed by close()
        }
      });
      return new EventStream(response);
    }

    void close() {
      response.thenAccept(answer -> {
        try {
          answer.body().close();
        } catch (java.io.IOException ignored) {
          // already closed
        }
      });
    }
  }
}
