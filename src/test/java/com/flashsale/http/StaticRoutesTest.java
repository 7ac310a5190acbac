package com.flashsale.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front end's files as a real node serves them: the storefront at {@code /}, the console at
 * {@code /admin}, every file of {@code app/} with its content type, a strong ETag and a 304 when it
 * matches, and nothing else: unknown paths, other methods and paths that try to leave {@code app/} are
 * 404 problem+json like any unknown route.
 */
class StaticRoutesTest {

  private static final Path APP = Path.of("app");
  private static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("static");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void servesTheStorefrontAtTheRoot() throws IOException {
    Response response = app.api.get("/", null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(response.body()).isEqualTo(Files.readString(APP.resolve("index.html")))
        .contains("<script type=\"module\" src=\"/assets/js/store/main.js\"></script>");
    assertThat(response.header("Content-Security-Policy")).isEqualTo(StaticRoutes.CONTENT_SECURITY_POLICY);
  }

  @Test
  void servesTheAdminConsoleAtAdmin() throws IOException {
    Response response = app.api.get("/admin", null);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("text/html; charset=UTF-8");
    assertThat(response.body()).isEqualTo(Files.readString(APP.resolve("admin.html")));
  }

  @Test
  void servesScriptsStylesAndImagesWithTheirContentTypes() {
    Map<String, String> types = Map.of(
        "/assets/js/store/main.js", "text/javascript; charset=UTF-8",
        "/assets/js/admin/main.js", "text/javascript; charset=UTF-8",
        "/assets/css/base.css", "text/css; charset=UTF-8",
        "/img/sneakers.svg", "image/svg+xml",
        "/assets/favicon.svg", "image/svg+xml");
    types.forEach((path, type) -> {
      Response response = app.api.get(path, null);
      assertThat(response.status()).as(path).isEqualTo(200);
      assertThat(response.contentType()).as(path).isEqualTo(type);
      assertThat(response.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
    });
  }

  @Test
  void servesEveryFileOfTheAppDirectoryByteForByte() throws IOException {
    try (Stream<Path> files = Files.walk(APP)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = APP.relativize(file).toString().replace('\\', '/');
        String path = StaticFiles.urlPathOf(name);
        Response response = app.api.get(path, null);
        assertThat(response.status()).as(path).isEqualTo(200);
        assertThat(response.body().getBytes(UTF_8)).as(path).isEqualTo(Files.readAllBytes(file));
      }
    }
  }

  @Test
  void answersWithAStrongETagAndNoCacheSoBrowsersRevalidate() {
    Response response = app.api.get("/assets/js/lib/api.js", null);

    assertThat(response.header("ETag")).matches("\"[A-Za-z0-9_-]{22}\"");
    assertThat(response.header("Cache-Control")).isEqualTo("no-cache");
  }

  @Test
  void answers304WhenIfNoneMatchNamesTheCurrentETag() {
    String etag = app.api.get("/assets/js/lib/api.js", null).header("ETag");

    Response unchanged = app.api.send("GET", "/assets/js/lib/api.js", null, null, null, Map.of("If-None-Match", etag));
    Response other = app.api.send("GET", "/assets/js/lib/api.js", null, null, null,
        Map.of("If-None-Match", "\"an-older-version\""));

    assertThat(unchanged.status()).isEqualTo(304);
    assertThat(unchanged.body()).isEmpty();
    assertThat(unchanged.header("ETag")).isEqualTo(etag);
    assertThat(unchanged.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(other.status()).isEqualTo(200);
  }

  @Test
  void theETagIsAHashOfTheContent() {
    StaticFiles files = StaticFiles.of(Map.of("a.js", "one".getBytes(UTF_8), "b.js", "two".getBytes(UTF_8),
        "c.js", "one".getBytes(UTF_8)));

    assertThat(files.find("/a.js").orElseThrow().etag()).isEqualTo(files.find("/c.js").orElseThrow().etag());
    assertThat(files.find("/a.js").orElseThrow().etag()).isNotEqualTo(files.find("/b.js").orElseThrow().etag());
  }

  @Test
  void refusesAFileWhoseTypeItDoesNotKnow() {
    assertThatThrownBy(() -> StaticFiles.of(Map.of("notes.docx", new byte[0])))
        .hasMessageContaining("app/notes.docx");
  }

  @Test
  void unknownStaticPathsAreNotFoundProblems() {
    for (String path : List.of("/assets/nothing.js", "/img/nothing.svg", "/index.html", "/admin.html", "/admin/",
        "/assets/", "/assets", "/img", "/favicon.ico", "/app/index.html")) {
      assertNoSuchRoute(app.api.get(path, null), path);
    }
  }

  @Test
  void otherMethodsOnStaticPathsAreNotFoundProblems() {
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      assertNoSuchRoute(app.api.send(method, "/", null, null, null, Map.of()), method + " /");
      assertNoSuchRoute(app.api.send(method, "/img/sneakers.svg", null, null, null, Map.of()), method + " /img/sneakers.svg");
    }
  }

  /**
   * Sent on a raw socket, so no client resolves the dot segments first. The URI parser resolves them (RFC 3986),
   * so a path can at most come back to the root ({@code /../} is {@code /}); only files loaded from {@code app/}
   * at start are ever served, so a path naming anything else is 404.
   */
  @Test
  void pathsThatTryToLeaveTheAppDirectoryAreNotFoundProblems() throws IOException {
    for (String path : List.of("/../pom.xml", "/../../etc/passwd", "/assets/../../../etc/passwd", "/../app/index.html",
        "/..%2fpom.xml", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fpom.xml", "/assets/css/..%5c..%5cpom.xml",
        "/img/../../src/main/resources/application.conf", "//etc/passwd", "/assets/js/../../../README.md")) {
      RawAnswer answer = rawGet(path);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.head()).as(path).containsIgnoringCase("Content-Type: application/problem+json");
      assertThat(answer.body()).as(path).contains("\"code\":\"NOT_FOUND\"").contains("No such route");
    }
    assertThat(rawGet("/../").body()).as("/../ resolves to the root").contains("<title>FlashSale</title>");
  }

  @Test
  void theApiIsUntouched() {
    assertNoSuchRoute(app.api.get("/api/nothing", null), "/api/nothing");
    assertNoSuchRoute(app.api.get("/api/", null), "/api/");
    assertThat(app.api.get("/api/sales", null).status()).isEqualTo(200);
    assertThat(app.api.get("/health/alive", null).status()).isEqualTo(200);
  }

  @Test
  void labelsTheFrontEndsRequestsStaticInTheMetrics() {
    app.api.get("/img/sneakers.svg", null);

    assertThat(app.api.get("/metrics", null).body())
        .contains("http_server_requests_seconds_count{method=\"GET\",route=\"static\",status=\"200\",}");
  }

  private static void assertNoSuchRoute(Response response, String what) {
    assertThat(response.status()).as(what).isEqualTo(404);
    assertThat(response.contentType()).as(what).startsWith("application/problem+json");
    assertThat(response.json().get("code").asText()).as(what).isEqualTo("NOT_FOUND");
    assertThat(response.json().get("detail").asText()).as(what).isEqualTo("No such route");
  }

  private record RawAnswer(int status, String head, String body) {}

  private static RawAnswer rawGet(String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", app.node.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String head = split < 0 ? text : text.substring(0, split);
      String body = split < 0 ? "" : text.substring(split + 4);
      return new RawAnswer(Integer.parseInt(head.split(" ", 3)[1]), head, body);
    }
  }
}
