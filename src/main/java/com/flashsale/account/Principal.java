package com.flashsale.account;

/** Who is calling, as a valid token says: no database read needed. */
public record Principal(String userId, Role role) {

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }
}
