package com.flashsale.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An API error answer (application/problem+json) as the command line shows it:
 * {@code <title>: <detail> (<code>)}, then one line per invalid field.
 */
record ApiProblem(int status, String title, String detail, String code, List<String> fieldErrors) {

  /** The problem in an error answer's body, if it is one. */
  static Optional<ApiProblem> parse(int status, String body) {
    JsonNode json;
    try {
      json = JsonText.parse(body);
    } catch (IOException notJson) {
      return Optional.empty();
    }
    if (json == null || !json.isObject() || !json.at("/code").isTextual()) {
      return Optional.empty();
    }
    List<String> fieldErrors = new ArrayList<>();
    for (JsonNode error : json.at("/errors")) {
      fieldErrors.add(error.at("/field").asText("?") + ": " + error.at("/message").asText(""));
    }
    return Optional.of(new ApiProblem(status, text(json, "title"), text(json, "detail"), json.get("code").asText(),
        fieldErrors));
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.path(field);
    return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
  }

  String describe() {
    StringBuilder text = new StringBuilder(title != null ? title : "HTTP " + status);
    if (detail != null) {
      text.append(": ").append(detail);
    }
    text.append(" (").append(code).append(')');
    fieldErrors.forEach(error -> text.append(System.lineSeparator()).append("  ").append(error));
    return text.toString();
  }
}
