package com.flashsale.account;

import com.fasterxml.jackson.annotation.JsonValue;

public enum Role {
  CUSTOMER,
  ADMIN;

  /** As in tokens, JSON and the database: lower case. */
  @JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Role fromWire(String text) {
    return Role.valueOf(text.toUpperCase(java.util.Locale.ROOT));
  }
}
