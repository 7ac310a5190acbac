package com.flashsale.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The {@code --json} option of the commands that print an answer: a table for people, else the API's JSON. */
final class Output {

  @Option(names = "--json", description = "Print the API's JSON answer (pretty-printed) instead of a table.")
  boolean json;

  void show(PrintWriter out, JsonNode answer, Function<JsonNode, String> view) {
    if (json) {
      out.println(JsonText.pretty(answer));
    } else {
      out.print(view.apply(answer));
    }
  }
}
