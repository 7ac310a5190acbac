package com.flashsale.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AccountRoutesTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("accounts");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Response register(String email, String password) {
    return app.api.post("/api/auth/register", null, Map.of("email", email, "password", password, "name", "Ann"));
  }

  @Test
  void registersACustomerWithALowerCasedEmail() {
    Response response = register("Ann.Smith@Example.COM", "password-1");

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.json().at("/user/email").asText()).isEqualTo("ann.smith@example.com");
    assertThat(response.json().at("/user/role").asText()).isEqualTo("customer");
    assertThat(response.json().get("token").asText()).isNotBlank();
  }

  @Test
  void rejectsAnEmailAlreadyRegisteredInAnyCase() {
    register("taken@example.com", "password-1");

    Response response = register("TAKEN@example.com", "password-2");

    assertThat(response.status()).isEqualTo(409);
    assertThat(response.code()).isEqualTo("EMAIL_TAKEN");
  }

  @Test
  void rejectsAShortPasswordAndNamesTheField() {
    Response response = register("short@example.com", "1234567");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.code()).isEqualTo("VALIDATION");
    assertThat(response.json().at("/errors/0/field").asText()).isEqualTo("password");
  }

  @Test
  void logsInWithTheRightPasswordAndTheTokenIdentifiesTheUser() {
    String id = register("login@example.com", "password-1").json().at("/user/id").asText();

    Response login = app.api.post("/api/auth/login", null, Map.of("email", "LOGIN@example.com", "password", "password-1"));
    Response me = app.api.get("/api/me", login.json().get("token").asText());

    assertThat(login.status()).isEqualTo(200);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("id").asText()).isEqualTo(id);
  }

  @Test
  void answersTheSameForAnUnknownEmailAndAWrongPassword() {
    register("known@example.com", "password-1");

    Response wrongPassword = app.api.post("/api/auth/login", null,
        Map.of("email", "known@example.com", "password", "wrong-password"));
    Response unknownEmail = app.api.post("/api/auth/login", null,
        Map.of("email", "unknown@example.com", "password", "wrong-password"));

    assertThat(wrongPassword.status()).isEqualTo(401);
    assertThat(wrongPassword.code()).isEqualTo("BAD_CREDENTIALS");
    assertThat(unknownEmail.body()).isEqualTo(wrongPassword.body());
  }

  @Test
  void theFirstAdminComesFromConfiguration() {
    Response me = app.api.get("/api/me", app.adminToken());

    assertThat(me.json().get("role").asText()).isEqualTo("admin");
    assertThat(me.json().get("email").asText()).isEqualTo(FlashSaleFixture.ADMIN_EMAIL);
  }

  @Test
  void refusesACustomerOnAdminRoutes() {
    String customer = register("customer@example.com", "password-1").json().get("token").asText();

    Response response = app.api.post("/api/admin/products", customer,
        Map.of("name", "X", "description", "", "price", "1.00"));

    assertThat(response.status()).isEqualTo(403);
    assertThat(response.code()).isEqualTo("FORBIDDEN");
  }

  @Test
  void rejectsAnExpiredToken() {
    String token = app.newBuyerToken();
    app.clock.advance(java.time.Duration.ofHours(13));

    Response response = app.api.get("/api/me", token);

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.code()).isEqualTo("UNAUTHORIZED");
  }
}
