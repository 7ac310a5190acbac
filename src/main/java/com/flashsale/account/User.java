package com.flashsale.account;

/** A registered user as the API shows it (never with the password hash). */
public record User(String id, String email, String name, Role role) {}
