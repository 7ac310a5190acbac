package com.flashsale;

import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import akka.management.javadsl.AkkaManagement;
import com.flashsale.account.AccountRoutes;
import com.flashsale.account.Accounts;
import com.flashsale.account.LoginBackoff;
import com.flashsale.account.PasswordHasher;
import com.flashsale.account.TokenService;
import com.flashsale.http.Auth;
import com.flashsale.http.Endpoint;
import com.flashsale.http.HealthRoutes;
import com.flashsale.http.HttpServer;
import com.flashsale.http.InFlightLimit;
import com.flashsale.http.RateLimits;
import com.flashsale.http.StaticFiles;
import com.flashsale.http.StaticRoutes;
import com.flashsale.http.StreamSlots;
import com.flashsale.http.JsonBody;
import com.flashsale.ops.Metrics;
import com.flashsale.ops.OperationsRoutes;
import com.flashsale.order.Checkout;
import com.flashsale.order.AdminOrderRoutes;
import com.flashsale.order.OrderRoutes;
import com.flashsale.order.OrderHistory;
import com.flashsale.readmodel.JournalHistory;
import com.flashsale.readmodel.OrderQueries;
import com.flashsale.readmodel.ReadModelProjection;
import com.flashsale.readmodel.SaleQueries;
import com.flashsale.payment.PaymentGateway;
import com.flashsale.payment.SimulatedPaymentGateway;
import com.flashsale.product.ProductRoutes;
import com.flashsale.product.Products;
import com.flashsale.sale.KnownSales;
import com.flashsale.sale.LiveSaleRoutes;
import com.flashsale.sale.LiveSales;
import com.flashsale.sale.LiveView;
import com.flashsale.sale.OrderBatcher;
import com.flashsale.sale.RoomSettings;
import com.flashsale.sale.Sale;
import com.flashsale.waitingroom.ProofOfWork;
import com.flashsale.waitingroom.RoomBoard;
import com.flashsale.waitingroom.RoomView;
import com.flashsale.waitingroom.Tickets;
import com.flashsale.waitingroom.WaitingRoomRoutes;
import com.flashsale.sale.SaleCatalog;
import com.flashsale.sale.SaleClient;
import com.flashsale.sale.SaleRoutes;
import com.flashsale.sale.SaleScheduler;
import com.flashsale.sale.SaleSettings;
import com.flashsale.sale.WarmupSales;
import com.flashsale.storage.Database;
import com.flashsale.warmup.Warmup;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: starts one node (schema, actor system, sharding, services, HTTP) from a configuration. */
public final class FlashSaleNode {

  private static final Logger log = LoggerFactory.getLogger(FlashSaleNode.class);

  /** A running node, serving {@code endpoints}; {@link #stop()} leaves the cluster gracefully. */
  public record Running(ActorSystem<Void> system, ServerBinding binding, TokenService tokens, PaymentGateway gateway,
      LiveSales liveSales, List<Endpoint> endpoints) {

    public int httpPort() {
      return binding.localAddress().getPort();
    }

    public void stop() {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private FlashSaleNode() {}

  public static Running start(Config config, Clock clock) {
    Database db = Database.open(config);
    db.migrate();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "flashsale", config);
    try {
      return wire(system, db, config, clock);
    } catch (RuntimeException e) {
      system.terminate();
      db.close();
      throw e;
    }
  }

  private static Running wire(ActorSystem<Void> system, Database db, Config config, Clock clock) throws RuntimeException {
    db.runningOn(system.dispatchers().lookup(DispatcherSelector.fromConfig("flashsale.blocking-dispatcher")));
    system.getWhenTerminated().thenRun(db::close);

    Metrics metrics = Metrics.start(system, Sale.ENTITY_KEY);
    if (NodeConfig.isProduction(config)) {
      log.warn("FLASHSALE_PAYMENT_GATEWAY={}: payments are SIMULATED in production; every buyer's payment is approved "
          + "and nobody is charged", config.getString("flashsale.payment.gateway"));
    }
    PaymentGateway gateway = new SimulatedPaymentGateway(db, config.getDuration("flashsale.payment.simulator-delay"));
    Sale.init(system, clock, SaleSettings.fromConfig(config), gateway, metrics);
    SaleCatalog catalog = new SaleQueries(db);
    SaleScheduler.init(system, catalog, clock, SaleScheduler.Settings.fromConfig(config));
    if (config.getBoolean("flashsale.management.enabled")) {
      AkkaManagement.get(system).start();
    }

    if (config.getString("akka.remote.artery.transport").equals("tcp")) {
      log.warn("FLASHSALE_CLUSTER_KEYSTORE is not set: cluster traffic is plain TCP and anything that reaches port {} "
          + "can join the cluster. Development only.", config.getInt("akka.remote.artery.canonical.port"));
    }
    String secret = config.getString("flashsale.jwt.secret");
    if (NodeConfig.DEV_JWT_SECRET.equals(secret)) {
      log.warn("FLASHSALE_JWT_SECRET is not set: using the development secret. Never do this in production.");
    }
    TokenService tokens = new TokenService(secret, config.getDuration("flashsale.jwt.ttl"), clock);
    PasswordHasher hasher = new PasswordHasher(config.getInt("flashsale.password.bcrypt-cost"),
        hashingThreads(config.getInt("flashsale.password.threads")), config.getInt("flashsale.password.max-queued"));
    system.getWhenTerminated().thenRun(hasher::close);
    Accounts accounts = new Accounts(db, hasher, tokens);
    accounts.ensureAdmin(config.getString("flashsale.admin.email"), config.getString("flashsale.admin.password"));

    Duration askTimeout = config.getDuration("flashsale.ask-timeout");
    OrderBatcher.Settings batching = OrderBatcher.Settings.fromConfig(config);
    JournalHistory journal = new JournalHistory(system, db);
    KnownSales knownSales = KnownSales.start(system, journal, KnownSales.Settings.fromConfig(config));
    WarmupSales warmupSales = new WarmupSales();
    SaleClient sales = new SaleClient(system, askTimeout, batching.enabled()
        ? system.systemActorOf(OrderBatcher.create(batching, askTimeout, metrics::recordReserveBatch, warmupSales),
            "order-batcher", Props.empty())
        : null, knownSales, warmupSales);
    OrderHistory orders = new OrderQueries(db);
    ReadModelProjection.init(system, db, metrics::recordProjectionLag, metrics::recordSkippedEventsApplied);
    Products products = new Products(db);
    RateLimits limits = new RateLimits(RateLimits.Settings.fromConfig(config));
    Auth auth = new Auth(tokens, limits);
    JsonBody json = new JsonBody(config.getBytes("flashsale.http.max-body-bytes"));
    LiveView.Settings liveSettings = LiveView.Settings.fromConfig(config);
    LiveSales live = LiveView.start(system, catalog, sales, knownSales, clock, liveSettings, Sale.sender(system));
    RoomSettings roomSettings = RoomSettings.fromConfig(config);
    RoomBoard rooms = RoomView.start(system, clock, roomSettings,
        Cluster.get(system).selfMember().uniqueAddress().toString(), Sale.sender(system));
    Tickets tickets = new Tickets(secret, roomSettings, clock);
    StreamSlots streamSlots = new StreamSlots(config.getInt("flashsale.live-view.sse.max-streams"),
        config.getInt("flashsale.live-view.sse.max-streams-per-client"));

    AtomicReference<Warmup> warmup = new AtomicReference<>(); // started once the port is bound
    HealthRoutes health = new HealthRoutes(system, db, Sale.ENTITY_KEY, () -> warmup.get() != null
        && warmup.get().isDone());
    List<Endpoint> operations = Endpoint.all(health.endpoints(), new OperationsRoutes(metrics).endpoints());
    List<Endpoint> api = Endpoint.all(
        new AccountRoutes(accounts, auth, json, limits, limits.enabled()
            ? new LoginBackoff(config.getInt("flashsale.rate-limits.login-free-failures"),
                config.getDuration("flashsale.rate-limits.login-max-wait"), config.getLong("flashsale.rate-limits.max-clients"),
                clock)
            : LoginBackoff.off(clock)).endpoints(),
        new ProductRoutes(products, auth, json).endpoints(),
        new OrderRoutes(sales, orders, new Checkout(sales, gateway, config.getDuration("flashsale.payment.call-timeout")), auth, json, live, metrics,
            new InFlightLimit(config.getInt("flashsale.max-in-flight-purchases")), clock, tickets).endpoints(),
        new WaitingRoomRoutes(live, rooms, tickets,
            new ProofOfWork(secret, config.getDuration("flashsale.waiting-room.challenge-validity"), clock), auth, json,
            limits, streamSlots, clock).endpoints(),
        new AdminOrderRoutes(orders, auth).endpoints(),
        new SaleRoutes(sales, catalog, products, auth, json, clock, live, journal).endpoints(),
        new LiveSaleRoutes(live, liveSettings.heartbeat(), limits, streamSlots).endpoints());
    var route = HttpServer.root(metrics, limits, operations, api, new StaticRoutes(StaticFiles.fromClasspath()));
    ServerBinding binding = HttpServer.bind(system, config.getString("flashsale.http.host"),
            config.getInt("flashsale.http.port"), route)
        .toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    log.info("FlashSale node {} serving HTTP on {}", system.address(), binding.localAddress());
    warmup.set(Warmup.start(Warmup.Settings.fromConfig(config), system, sales, warmupSales, tokens, metrics, db, clock,
        ownAddress(binding.localAddress())));
    return new Running(system, binding, tokens, gateway, live, Endpoint.all(operations, api));
  }

  /** This node's HTTP base URL for requests from itself: loopback when it listens on every address. */
  private static String ownAddress(InetSocketAddress bound) {
    InetAddress address = bound.getAddress();
    String host = address.isAnyLocalAddress() ? "127.0.0.1"
        : address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    return "http://" + host + ":" + bound.getPort();
  }

  /** 0 means half the cores: hashing can take that much of the node, never all of it. */
  private static int hashingThreads(int configured) {
    return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }
}
