package com.flashsale.account;

import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import com.flashsale.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users: registration, login and lookup on the {@code users} table. Passwords are hashed and checked on the
 * hasher's own threads, never while a database connection is held; when those are full, the answer is
 * OVERLOADED at once.
 */
public final class Accounts {

  private static final Logger log = LoggerFactory.getLogger(Accounts.class);
  private static final String UNIQUE_VIOLATION = "23505";

  /** A user who just proved who they are, with the token that says so. */
  public record Session(String token, User user) {}

  private final Database db;
  private final PasswordHasher hasher;
  private final TokenService tokens;

  public Accounts(Database db, PasswordHasher hasher, TokenService tokens) {
    this.db = db;
    this.hasher = hasher;
    this.tokens = tokens;
  }

  /** A session of the new user, or EMAIL_TAKEN. */
  public CompletionStage<Outcome<Session>> register(String email, String password, String name) {
    User user = new User(UUID.randomUUID().toString(), email.toLowerCase(Locale.ROOT), name, Role.CUSTOMER);
    return orBusy(hasher.hash(password).thenCompose(hash -> db.run(c -> insert(c, user, hash)
        ? Outcome.ok(session(user))
        : Outcome.rejected(ErrorCode.EMAIL_TAKEN, "This email is already registered"))));
  }

  /** A session, or BAD_CREDENTIALS: unknown email and wrong password get the same answer, after the same work. */
  public CompletionStage<Outcome<Session>> login(String email, String password) {
    CompletionStage<Optional<Credentials>> found = db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, email, name, role, password_hash FROM users WHERE email = ?")) {
        st.setString(1, email.toLowerCase(Locale.ROOT));
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.of(new Credentials(user(rs), rs.getString("password_hash"))) : Optional.empty();
        }
      }
    });
    return orBusy(found.thenCompose(credentials -> credentials
        .map(known -> hasher.matches(password, known.passwordHash())
            .thenApply(matches -> matches ? Outcome.ok(session(known.user())) : Accounts.<Session>badCredentials()))
        .orElseGet(() -> hasher.decoyCheck(password).thenApply(never -> badCredentials()))));
  }

  private record Credentials(User user, String passwordHash) {}

  /** The hasher's refusal when full, as the answer to give: retry shortly. */
  private static <T> CompletionStage<Outcome<T>> orBusy(CompletionStage<Outcome<T>> outcome) {
    return outcome.exceptionally(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof PasswordHasher.Busy) {
        return Outcome.rejected(ErrorCode.OVERLOADED, "Too many sign-ins are being checked; retry shortly");
      }
      throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
    });
  }

  public CompletionStage<Optional<User>> find(UUID userId) {
    return db.run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT id, email, name, role FROM users WHERE id = ?")) {
        st.setObject(1, userId);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.of(user(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Creates the configured first admin if that email is not registered yet (safe on every node). */
  public void ensureAdmin(String email, String password) {
    User admin = new User(UUID.randomUUID().toString(), email.toLowerCase(Locale.ROOT), "Administrator", Role.ADMIN);
    hasher.hash(password).thenCompose(hash -> db.run(c -> {
      if (insert(c, admin, hash)) {
        log.info("Created the first admin {}", admin.email());
      }
      return null;
    })).toCompletableFuture().join();
  }

  private static boolean insert(Connection c, User user, String hash) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "INSERT INTO users (id, email, name, password_hash, role) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING")) {
      st.setObject(1, UUID.fromString(user.id()));
      st.setString(2, user.email());
      st.setString(3, user.name());
      st.setString(4, hash);
      st.setString(5, user.role().wire());
      return st.executeUpdate() == 1;
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  private Session session(User user) {
    return new Session(tokens.issue(user.id(), user.role()), user);
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(rs.getObject("id").toString(), rs.getString("email"), rs.getString("name"),
        Role.fromWire(rs.getString("role")));
  }

  private static Outcome<Session> badCredentials() {
    return Outcome.rejected(ErrorCode.BAD_CREDENTIALS, "Wrong email or password");
  }
}
