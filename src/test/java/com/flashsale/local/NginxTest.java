package com.flashsale.local;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.SseClients;
import com.flashsale.testing.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nginx/nginx.conf, run by the real nginx binary in front of a real node (and, for what only a
 * misbehaving node shows, raw sockets): proxying, SSE unbuffered, the per-IP limit, nginx's own errors as
 * problem+json, and no resend of a POST a node may have received.
 */
class NginxTest {

  static FlashSaleFixture app;
  static Path nginxBinary;
  static Path directory;
  static LocalNginx nginx;
  static ApiClient viaNginx;

  @BeforeAll
  static void start() throws Exception {
    nginxBinary = LocalNginx.find(System.getenv("FLASHSALE_NGINX"), System.getenv("PATH"))
        .orElseThrow(() -> new AssertionError("nginx is not installed (apt-get install nginx-light); see README"));
    app = FlashSaleFixture.start("nginx", Map.of("flashsale.live-view.sse.heartbeat", "300ms"));
    directory = Files.createTempDirectory("nginx-test");
    nginx = LocalNginx.start(nginxBinary, directory.resolve("limited"), TestNodes.freePort(), true,
        List.of(app.node.httpPort()));
    viaNginx = ApiClient.forPort(nginx.port());
  }

  @AfterAll
  static void stop() throws Exception {
    nginx.close();
    app.close();
  }

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.contentType()).as("content type of %s", response).isEqualTo("application/problem+json");
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.json().get("status").asInt()).isEqualTo(status);
  }

  @Test
  void passesRequestsAndTheNodesOwnProblemsThrough() {
    Response sales = viaNginx.get("/api/sales", null);
    assertThat(sales.status()).isEqualTo(200);
    assertThat(sales.json().has("items")).isTrue();

    Response unknown = viaNginx.get("/api/sales/not-a-uuid", null);
    assertProblem(unknown, 400, "VALIDATION");
  }

  @Test
  void streamsServerSentEventsAsTheNodeWritesThem() {
    String saleId = app.createSaleId(Map.of("stock", 3));
    try (SseClients clients = SseClients.of(nginx.port(), "/api/sales/" + saleId + "/events", true)) {
      SseClients.Stream stream = clients.connect(1).get(0);
      // Events and heartbeats (a few bytes each) arrive while the response goes on.
      eventually(Duration.ofSeconds(5), () -> {
        assertThat(stream.eventCount()).isPositive();
        assertThat(stream.heartbeats()).isGreaterThanOrEqualTo(3);
      });
      assertThat(stream.contentType()).startsWith("text/event-stream");
    }
  }

  @Test
  void answersABodyOverTheLimitWith413Problem() {
    Response response = viaNginx.send("POST", "/api/auth/login", null, "application/json", new byte[70_000], Map.of());
    assertProblem(response, 413, "VALIDATION");
  }

  @Test
  void servesNoMetricsToClientsWhileTheNodeServesThemToItsScraper() {
    assertProblem(viaNginx.get("/metrics", null), 404, "NOT_FOUND");
    assertThat(ApiClient.forPort(app.node.httpPort()).get("/metrics", null).status()).isEqualTo(200);
  }

  @Test
  void answersRequestsItCannotReadOrRouteWithItsOwnProblems() throws IOException {
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("GET /api/sales/a%00b HTTP/1.1\r\nHost: x\r\n\r\n", "400 VALIDATION");
    expected.put("GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n", "400 VALIDATION");
    expected.put("GET /api/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414 VALIDATION");
    expected.put("GET /api/sales HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "400 VALIDATION");
    expected.put("GET /api/sales HTTP/3.0\r\nHost: x\r\n\r\n", "400 VALIDATION");
    expected.put("GET /api/sales HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(70_000) + "\r\n\r\n", "400 VALIDATION");
    expected.put("GET /_nginx/unavailable HTTP/1.1\r\nHost: x\r\n\r\n", "404 NOT_FOUND");
    for (Map.Entry<String, String> request : expected.entrySet()) {
      String answer = raw(request.getKey());
      String name = request.getKey().substring(0, Math.min(60, request.getKey().length()));
      String[] statusAndCode = request.getValue().split(" ");
      assertThat(answer).as(name).startsWith("HTTP/1.1 " + statusAndCode[0] + " ")
          .contains("Content-Type: application/problem+json")
          .contains("\"code\":\"" + statusAndCode[1] + "\"")
          .contains("\"status\":" + statusAndCode[0] + ",");
    }
  }

  /** Sends {@code request} as it is on a new connection and returns all nginx answers before it closes. */
  private static String raw(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), nginx.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void answersAClientOverItsRateWith429ProblemAndRetryAfter() {
    List<CompletableFuture<Response>> burst = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      burst.add(viaNginx.sendAsync("GET", "/health/alive", null, null, null, Map.of()));
    }
    List<Response> answers = burst.stream().map(CompletableFuture::join).toList();
    List<Response> limited = answers.stream().filter(r -> r.status() == 429).toList();
    assertThat(limited).isNotEmpty();
    assertProblem(limited.get(0), 429, "RATE_LIMITED");
    assertThat(limited.get(0).header("Retry-After")).isEqualTo("1");
    assertThat(answers).allMatch(r -> r.status() == 200 || r.status() == 429);
  }

  @Test
  void limitsLoginsAndRegistrationsOfAnAddressFarBelowItsOtherRequests() {
    int attempts = 60;
    int passed = 0;
    Response limited = null;
    for (int i = 0; i < attempts; i++) {
      Response login = viaNginx.post("/api/auth/login", null,
          Map.of("email", "nobody-" + i + "@example.com", "password", "not-the-password"));
      if (login.status() == 429) {
        limited = login;
      } else {
        assertThat(login.status()).isEqualTo(401);
        passed++;
      }
    }
    // The sign-in zone lets a burst of 20 through, then 2 a second; the general zone would have let all 60.
    assertThat(passed).isBetween(1, 20 + 2 + 2 * 10);
    assertThat(limited).isNotNull();
    assertProblem(limited, 429, "RATE_LIMITED");
  }

  @Test
  void answersNoReachableNodeWith503ProblemAndRetryAfter() throws Exception {
    try (LocalNginx noNode = LocalNginx.start(nginxBinary, directory.resolve("dead"), TestNodes.freePort(), true,
        List.of(TestNodes.freePort()))) {
      Response response = ApiClient.forPort(noNode.port()).get("/api/sales", null);
      assertProblem(response, 503, "OVERLOADED");
      assertThat(response.header("Retry-After")).isEqualTo("1");
    }
  }

  @Test
  void resendsOnlyIdempotentRequestsToAnotherNode() throws Exception {
    try (StubNode hangsUp = new StubNode(false); StubNode answers = new StubNode(true);
        LocalNginx twoNodes = LocalNginx.start(nginxBinary, directory.resolve("two"), TestNodes.freePort(), true,
            List.of(hangsUp.port(), answers.port()))) {
      ApiClient client = ApiClient.forPort(twoNodes.port());
      int rounds = 5;
      int postsAnswered503 = 0;
      for (int i = 0; i < rounds; i++) {
        Response post = client.post("/api/sales/x/purchase", null, null);
        if (post.status() == 503) {
          assertProblem(post, 503, "OVERLOADED");
          postsAnswered503++;
        } else {
          assertThat(post.status()).isEqualTo(200);
        }
        assertThat(client.get("/api/sales", null).status()).isEqualTo(200);
        // nginx skips a node that failed for fail_timeout (2 s); past it, both nodes get requests again.
        Thread.sleep(2_100);
      }
      assertThat(hangsUp.posts.get()).as("POSTs that reached the node that hangs up").isPositive();
      // Every POST reached exactly one node: one the node hung up on was answered 503, never resent.
      assertThat(hangsUp.posts.get() + answers.posts.get()).isEqualTo(rounds);
      assertThat(postsAnswered503).isEqualTo(hangsUp.posts.get());
      // Every GET was answered 200, by the other node when the first hung up.
      assertThat(answers.gets.get()).isEqualTo(rounds);
    }
  }

  @Test
  void keepsTheUpstreamConnectionsOfABurstForTheNext() throws Exception {
    int inFlight = 300;
    try (HoldingNode node = new HoldingNode();
        LocalNginx unlimited = LocalNginx.start(nginxBinary, directory.resolve("pool"), TestNodes.freePort(), false,
            List.of(node.port()))) {
      ApiClient client = ApiClient.forPort(unlimited.port());
      for (int burst = 0; burst < 2; burst++) {
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
          answers.add(client.sendAsync("GET", "/api/sales", null, null, null, Map.of()));
        }
        // All of them at the node at once, so nginx holds one upstream connection per request.
        eventually(Duration.ofSeconds(20), () -> assertThat(node.held()).isEqualTo(inFlight));
        node.answerAll();
        assertThat(answers.stream().map(CompletableFuture::join)).allMatch(response -> response.status() == 200);
      }
      // The second burst found the first one's connections kept: a pool smaller than a burst closes the
      // rest after their answers, and the node pays for new connections on every burst.
      assertThat(node.accepted()).as("connections the node accepted over two bursts of " + inFlight)
          .isLessThanOrEqualTo(inFlight + inFlight / 10);
    }
  }

  @Test
  void shedsRequestsBeyondTheNodesBoundWith503ProblemAtOnce() throws Exception {
    int bound = 2048; // max_conns of nginx.conf's request upstream
    int beyond = 40;
    try (HoldingNode node = new HoldingNode();
        LocalNginx unlimited = LocalNginx.start(nginxBinary, directory.resolve("bound"), TestNodes.freePort(), false,
            List.of(node.port()))) {
      ApiClient client = ApiClient.forPort(unlimited.port());
      List<CompletableFuture<Response>> held = new ArrayList<>();
      for (int i = 0; i < bound; i++) {
        held.add(client.sendAsync("GET", "/api/sales", null, null, null, Map.of()));
      }
      eventually(Duration.ofSeconds(30), () -> assertThat(node.held()).isEqualTo(bound));

      List<CompletableFuture<Response>> extra = new ArrayList<>();
      for (int i = 0; i < beyond; i++) {
        extra.add(client.sendAsync("GET", "/api/sales", null, null, null, Map.of()));
      }
      // Answered while every request before them is still held: shed at the door, not queued at the node.
      for (CompletableFuture<Response> answer : extra) {
        Response response = answer.get(10, TimeUnit.SECONDS);
        assertProblem(response, 503, "OVERLOADED");
        assertThat(response.header("Retry-After")).isEqualTo("1");
      }
      assertThat(node.held()).isEqualTo(bound);
      assertThat(held).noneMatch(CompletableFuture::isDone);

      node.answerAll();
      assertThat(held.stream().map(CompletableFuture::join)).allMatch(response -> response.status() == 200);
      assertThat(node.accepted()).as("connections the node accepted").isEqualTo(bound);
    }
  }

  /**
   * A node stand-in that holds every request until told to answer them all, on keep-alive connections,
   * counting the connections it accepted.
   */
  static final class HoldingNode implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    HoldingNode() throws IOException {
      server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "holding-node");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    int held() {
      return held.get();
    }

    /** Answers every request held now; later ones wait for the next call. */
    void answerAll() {
      CountDownLatch open = gate;
      gate = new CountDownLatch(1);
      held.set(0);
      open.countDown();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          accepted.incrementAndGet();
          Thread connection = new Thread(() -> serve(socket), "holding-node-connection");
          connection.setDaemon(true);
          connection.start();
        } catch (IOException closed) {
          // the test is over
        }
      }
    }

    private void serve(Socket socket) {
      try (socket) {
        while (!StubNode.readHead(socket.getInputStream()).isEmpty()) {
          CountDownLatch waitFor = gate;
          held.incrementAndGet();
          waitFor.await();
          socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException | InterruptedException closed) {
        // nginx closed the connection, or the test is over
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** A node stand-in on a raw socket: reads a request, then answers 200 or hangs up without answering. */
  static final class StubNode implements AutoCloseable {
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    private final ServerSocket server;

    StubNode(boolean answers) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread thread = new Thread(() -> serve(answers), "stub-node");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve(boolean answers) {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          String head = readHead(socket.getInputStream());
          (head.startsWith("POST") ? posts : gets).incrementAndGet();
          if (answers) {
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
          }
        } catch (IOException closed) {
          // the test is over, or nginx went away
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.append((char) b);
      }
      return head.toString();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
