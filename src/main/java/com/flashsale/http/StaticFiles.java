package com.flashsale.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.headers.EntityTag;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The browser front end's files ({@code app/} in the repository, packaged into the jar under {@code app/}),
 * read once at start into memory, each with its content type and a strong ETag (a hash of its bytes). Only
 * these files are ever served, so no request path can reach anything else. A page {@code name.html} is
 * served at {@code /name} ({@code index.html} at {@code /}); any other file at its path under {@code app/}.
 */
public final class StaticFiles {

  /** One file as served: its bytes, content type and ETag. */
  public record Asset(String urlPath, byte[] bytes, ContentType contentType, EntityTag etag) {

    public boolean isPage() {
      return contentType.mediaType().toString().equals("text/html");
    }
  }

  public static final String CLASSPATH_ROOT = "app";

  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.parse("text/html; charset=UTF-8"),
      "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
      "mjs", ContentTypes.parse("text/javascript; charset=UTF-8"),
      "css", ContentTypes.parse("text/css; charset=UTF-8"),
      "svg", ContentTypes.parse("image/svg+xml"),
      "png", ContentTypes.parse("image/png"),
      "json", ContentTypes.parse("application/json"),
      "txt", ContentTypes.parse("text/plain; charset=UTF-8"));

  private final Map<String, Asset> byUrlPath;

  private StaticFiles(Map<String, Asset> byUrlPath) {
    this.byUrlPath = Map.copyOf(byUrlPath);
  }

  /** The files under {@code app/} on the classpath, whether it is a directory (tests) or the jar. */
  public static StaticFiles fromClasspath() {
    URL index = StaticFiles.class.getClassLoader().getResource(CLASSPATH_ROOT + "/index.html");
    if (index == null) {
      throw new IllegalStateException(CLASSPATH_ROOT + "/index.html is missing from the classpath (see pom.xml resources)");
    }
    try {
      Map<String, byte[]> files = "jar".equals(index.getProtocol()) ? readJar(index) : readDirectory(index);
      return of(files);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the front end's files", e);
    }
  }

  /** Files by their path under {@code app/} ({@code "assets/app.css"}). */
  public static StaticFiles of(Map<String, byte[]> files) {
    Map<String, Asset> assets = new TreeMap<>();
    files.forEach((name, bytes) -> {
      Asset asset = new Asset(urlPathOf(name), bytes, contentTypeOf(name), etagOf(bytes));
      assets.put(asset.urlPath(), asset);
    });
    return new StaticFiles(assets);
  }

  public Optional<Asset> find(String urlPath) {
    return Optional.ofNullable(byUrlPath.get(urlPath));
  }

  public Map<String, Asset> all() {
    return Collections.unmodifiableMap(byUrlPath);
  }

  static String urlPathOf(String name) {
    if (name.equals("index.html")) {
      return "/";
    }
    if (name.endsWith(".html")) {
      return "/" + name.substring(0, name.length() - ".html".length());
    }
    return "/" + name;
  }

  private static ContentType contentTypeOf(String name) {
    int dot = name.lastIndexOf('.');
    ContentType type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    if (type == null) {
      // A file the node would have to guess a type for: fail the start (and every test) rather than serve it.
      throw new IllegalStateException("app/" + name + ": no content type known for this extension; add it to StaticFiles");
    }
    return type;
  }

  private static EntityTag etagOf(byte[] bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return EntityTag.create(Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22), false);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, byte[]> readDirectory(URL index) throws IOException {
    Path root;
    try {
      root = Path.of(index.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path file : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"),
            Files.readAllBytes(file));
      }
    }
    return files;
  }

  private static Map<String, byte[]> readJar(URL index) throws IOException {
    JarURLConnection connection = (JarURLConnection) index.openConnection();
    connection.setUseCaches(false);
    String prefix = CLASSPATH_ROOT + "/";
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (JarFile jar = connection.getJarFile()) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
          try (InputStream in = jar.getInputStream(entry)) {
            files.put(entry.getName().substring(prefix.length()), in.readAllBytes());
          }
        }
      }
    }
    return files;
  }
}
