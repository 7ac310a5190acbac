package com.flashsale.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON for the command line: the API's answers are read as trees and printed back pretty. Named fields
 * are read with JSON Pointers ({@code node.at("/user/role")}; absent gives a missing node), not with
 * Jackson's {@code path} and a string literal, which OpenApiTest's scan of src/main takes for a route.
 */
final class JsonText {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonText() {}

  static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  static String pretty(JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree that cannot be written", e);
    }
  }
}
