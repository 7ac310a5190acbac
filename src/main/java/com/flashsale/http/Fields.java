package com.flashsale.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flashsale.ErrorCode;
import com.flashsale.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Typed, validated access to the fields of a JSON request body. Each accessor records what is wrong
 * with its field instead of throwing, so one 400 answer lists every invalid field; {@link #validate()}
 * throws that answer. A JSON null counts as absent; unknown fields are ignored.
 */
public final class Fields {

  /**
   * The instants a request may name: a sale's times are near today, and an instant far outside these (Java
   * parses years up to a billion) would only overflow the arithmetic done with it.
   */
  static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

  /** C0 controls other than tab, line feed and carriage return (PostgreSQL text cannot even hold NUL). */
  private static final Pattern CONTROL_CHARACTERS = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

  private final ObjectNode node;
  private final List<ApiError.FieldError> errors;
  /** Prefixed to field names in errors: {@code "parent."} for a nested object's fields. */
  private final String prefix;

  private Fields(ObjectNode node, List<ApiError.FieldError> errors, String prefix) {
    this.node = node;
    this.errors = errors;
    this.prefix = prefix;
  }

  public static Fields of(ObjectNode node) {
    return new Fields(node, new ArrayList<>(), "");
  }

  /**
   * The fields of a nested object, whose errors are reported with this body's as {@code field.name}; null when
   * absent (or not an object, which is an error).
   */
  public Fields optionalObject(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      return invalid(field, "must be an object");
    }
    return new Fields((ObjectNode) value, errors, prefix + field + ".");
  }

  /** An optional boolean; null when absent. */
  public Boolean optionalBoolean(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return null;
    }
    return value.isBoolean() ? value.booleanValue() : invalid(field, "must be true or false");
  }

  private JsonNode present(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  private <T> T invalid(String field, String message) {
    errors.add(new ApiError.FieldError(prefix + field, message));
    return null;
  }

  /** Idempotency-Key headers: opaque to the server, but bounded and printable. */
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

  /**
   * An optional {@code Idempotency-Key} header, checked together with the body's fields (an invalid key is
   * one more field error); null when absent.
   */
  public String idempotencyKey(java.util.Optional<String> header) {
    if (header.isPresent() && !IDEMPOTENCY_KEY.matcher(header.get()).matches()) {
      return invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters");
    }
    return header.orElse(null);
  }

  /** A required string of {@code min..max} characters (after trimming). */
  public String string(String field, int min, int max) {
    JsonNode value = present(field);
    if (value == null) {
      return invalid(field, "is required");
    }
    return stringValue(field, value, min, max);
  }

  /** An optional string; null when absent. */
  public String optionalString(String field, int max) {
    JsonNode value = present(field);
    return value == null ? null : stringValue(field, value, 0, max);
  }

  private String stringValue(String field, JsonNode value, int min, int max) {
    if (!value.isTextual()) {
      return invalid(field, "must be a string");
    }
    String text = value.textValue().strip();
    if (CONTROL_CHARACTERS.matcher(text).find()) {
      return invalid(field, "must not contain control characters");
    }
    if (text.length() < min || text.length() > max) {
      return invalid(field, min > 0 ? "must be " + min + " to " + max + " characters" : "must be at most " + max + " characters");
    }
    return text;
  }

  /** A required integer within {@code min..max}. */
  public Integer integer(String field, int min, int max) {
    JsonNode value = present(field);
    if (value == null) {
      return invalid(field, "is required");
    }
    return integerValue(field, value, min, max);
  }

  /** An optional integer within {@code min..max}, or {@code fallback} when absent. */
  public Integer optionalInteger(String field, int min, int max, Integer fallback) {
    JsonNode value = present(field);
    return value == null ? fallback : integerValue(field, value, min, max);
  }

  private Integer integerValue(String field, JsonNode value, int min, int max) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      return invalid(field, "must be an integer");
    }
    int number = value.intValue();
    if (number < min || number > max) {
      return invalid(field, "must be between " + min + " and " + max);
    }
    return number;
  }

  /** A required money amount: a decimal string like "999.99". */
  public BigDecimal money(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return invalid(field, "is required");
    }
    return moneyValue(field, value);
  }

  public BigDecimal optionalMoney(String field) {
    JsonNode value = present(field);
    return value == null ? null : moneyValue(field, value);
  }

  private BigDecimal moneyValue(String field, JsonNode value) {
    if (!value.isTextual()) {
      return invalid(field, "must be a decimal string such as \"9.99\"");
    }
    return Money.parse(value.textValue()).orElseGet(() -> invalid(field, "must be a decimal string such as \"9.99\""));
  }

  public Instant instant(String field) {
    JsonNode value = present(field);
    if (value == null) {
      return invalid(field, "is required");
    }
    return instantValue(field, value);
  }

  public Instant optionalInstant(String field) {
    JsonNode value = present(field);
    return value == null ? null : instantValue(field, value);
  }

  private Instant instantValue(String field, JsonNode value) {
    if (!value.isTextual() || value.textValue().length() > 40) {
      return invalid(field, "must be an ISO-8601 instant such as 2026-11-23T10:00:00Z");
    }
    Instant instant;
    try {
      instant = Instant.parse(value.textValue());
    } catch (DateTimeParseException e) {
      return invalid(field, "must be an ISO-8601 instant such as 2026-11-23T10:00:00Z");
    }
    if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
      return invalid(field, "must be from " + EARLIEST + " and before " + LATEST);
    }
    return instant;
  }

  /** Records a cross-field problem found by the caller. */
  public Fields reject(String field, String message) {
    invalid(field, message);
    return this;
  }

  public boolean isValid() {
    return errors.isEmpty();
  }

  /** Throws the 400 VALIDATION answer listing every invalid field, if any. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw new ApiError(ErrorCode.VALIDATION, "The request has invalid fields", errors);
    }
  }
}
