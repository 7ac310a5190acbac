package com.flashsale.admin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the tables show of the API's answers (docs/api.md): products, sales and a sale's stats. With
 * {@code --json} the answer is printed as it came instead.
 */
final class Views {

  private static final int DESCRIPTION_WIDTH = 40;

  private Views() {}

  static String products(JsonNode list) {
    Table table = Table.columns("id", "name", "price", "description");
    for (JsonNode product : list.at("/items")) {
      table.row(text(product, "id"), text(product, "name"), text(product, "price"),
          shorten(text(product, "description")));
    }
    return table.isEmpty() ? "No products." + System.lineSeparator() : table.render();
  }

  static String product(JsonNode product) {
    return Table.fields()
        .row("id", text(product, "id"))
        .row("name", text(product, "name"))
        .row("description", text(product, "description"))
        .row("image url", text(product, "imageUrl"))
        .row("price", text(product, "price"))
        .render();
  }

  static String sales(JsonNode page) {
    Table table = Table.columns("id", "product", "status", "price", "stock", "available", "starts at", "ends at");
    for (JsonNode sale : page.at("/items")) {
      table.row(text(sale, "id"), text(sale.at("/product"), "name"), text(sale, "status"), text(sale, "price"),
          text(sale, "stock"), text(sale, "available"), text(sale, "startsAt"), text(sale, "endsAt"));
    }
    return paged(table, page, "No sales.");
  }

  /** A page's table (or {@code empty}), and the option that shows the next page when there is one. */
  private static String paged(Table table, JsonNode page, String empty) {
    String rendered = table.isEmpty() ? empty + System.lineSeparator() : table.render();
    String next = text(page, "next");
    return next == null ? rendered : rendered + "More: add --after " + next + System.lineSeparator();
  }

  static String sale(JsonNode sale) {
    JsonNode product = sale.at("/product");
    return Table.fields()
        .row("id", text(sale, "id"))
        .row("product", text(product, "name") == null ? text(product, "id")
            : text(product, "name") + " (" + text(product, "id") + ")")
        .row("status", text(sale, "status"))
        .row("price", text(sale, "price"))
        .row("stock", text(sale, "stock"))
        .row("available", text(sale, "available"))
        .row("starts at", text(sale, "startsAt"))
        .row("ends at", text(sale, "endsAt"))
        .row("per-user limit", text(sale, "perUserLimit"))
        .row("hold seconds", text(sale, "holdSeconds"))
        .render();
  }

  static String stats(JsonNode stats) {
    Table table = Table.fields();
    for (String field : new String[] {"stock", "available", "reserved", "confirmed", "released"}) {
      table.row(field, text(stats, field));
    }
    JsonNode room = stats.path("waitingRoom");
    if (room.isObject()) {
      roomRows(table, room);
    }
    return table.render();
  }

  /** A sale's waiting room: its settings and numbers (in buyers), or that it has none. */
  static String room(JsonNode stats) {
    JsonNode room = stats.path("waitingRoom");
    if (!room.isObject()) {
      return "This sale has no waiting room.\n";
    }
    Table table = Table.fields();
    roomRows(table, room);
    return table.render();
  }

  private static void roomRows(Table table, JsonNode room) {
    table.row("room", room.path("paused").asBoolean() ? "PAUSED" : text(room, "phase"))
        .row("admission rate", room.path("admissionRate").asInt() == 0
            ? "automatic (" + text(room, "rate") + "/s now)" : text(room, "admissionRate") + "/s")
        .row("waiting", text(room, "waiting"))
        .row("joined", text(room, "joined"))
        .row("admitted", text(room, "admitted"))
        .row("purchased", text(room, "purchased"))
        .row("abandoned", text(room, "abandoned"))
        .row("turned away", text(room, "turnedAway"));
  }

  /** A page of a sale's events: number, time, type and the event's fields on one line. */
  static String history(JsonNode page) {
    Table table = Table.columns("#", "written at", "type", "event");
    for (JsonNode entry : page.at("/items")) {
      table.row(text(entry, "sequenceNr"), text(entry, "writtenAt"), text(entry, "type"), entry.path("event").toString());
    }
    return paged(table, page, "No events.");
  }

  /** A field as text, or null when absent or JSON null. */
  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }

  private static String shorten(String text) {
    if (text == null) {
      return null;
    }
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= DESCRIPTION_WIDTH ? oneLine : oneLine.substring(0, DESCRIPTION_WIDTH - 3) + "...";
  }
}
