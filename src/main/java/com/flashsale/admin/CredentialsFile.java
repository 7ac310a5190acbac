package com.flashsale.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.TypeConversionException;

/**
 * The saved login: {@code {"url", "token"}} as JSON in {@code credentials} under FLASHSALE_CONFIG_DIR
 * (default {@code ~/.config/flashsale}). The token is an admin's, so the file is readable by its owner
 * only (mode 600, directory 700), and is replaced atomically so a reader never sees half of it.
 */
final class CredentialsFile {

  /** A login: the server that issued the token, and the token. */
  record Credentials(URI server, String token) {}

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path path;

  CredentialsFile(Path path) {
    this.path = path;
  }

  static CredentialsFile in(AdminCommand admin) {
    String configured = admin.env("FLASHSALE_CONFIG_DIR");
    Path directory = configured != null ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".config", "flashsale");
    return new CredentialsFile(directory.resolve("credentials"));
  }

  Path path() {
    return path;
  }

  Optional<Credentials> read() {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    try {
      JsonNode saved = JsonText.parse(Files.readString(path, StandardCharsets.UTF_8));
      String token = saved.at("/token").asText("");
      if (token.isEmpty()) {
        throw new IllegalArgumentException("no token");
      }
      return Optional.of(new Credentials(ArgumentTypes.parseUrl(saved.at("/url").asText("")), token));
    } catch (IOException | IllegalArgumentException | TypeConversionException e) {
      return Optional.empty(); // unreadable counts as not logged in; the next login replaces it
    }
  }

  void write(Credentials credentials) {
    try {
      Path directory = path.toAbsolutePath().getParent();
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(directory, attributes("rwx------"));
      }
      // createTempFile makes the file 600 on POSIX before any byte of the token is in it.
      Path temporary = Files.createTempFile(directory, ".credentials", ".tmp");
      try {
        Files.writeString(temporary, JsonText.pretty(JsonText.MAPPER.valueToTree(
            Map.of("url", credentials.server().toString(), "token", credentials.token()))) + "\n");
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new AdminFailure("cannot save the login in " + path + ": " + e.getMessage());
    }
  }

  /** Removes the saved login; false when there was none. */
  boolean delete() {
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new AdminFailure("cannot remove the saved login " + path + ": " + e.getMessage());
    }
  }

  private static FileAttribute<?>[] attributes(String permissions) {
    if (!POSIX) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))};
  }
}
