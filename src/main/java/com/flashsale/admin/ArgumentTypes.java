package com.flashsale.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the command line reads its arguments. A value that does not convert is a usage error: picocli
 * prints "Invalid value for option '--x': " and the message here, the usage, and exits with 2, so bad
 * input never reaches the API.
 */
final class ArgumentTypes {

  static final String TIME_FORMS = "an ISO-8601 instant such as 2026-11-23T10:00:00Z, or now, +30s, +5m, +1h, +2d";
  static final Set<String> SALE_FILTERS = Set.of("upcoming", "live", "ended");

  private static final Pattern RELATIVE = Pattern.compile("\\+([0-9]{1,6})([smhd])");

  private ArgumentTypes() {}

  /** A product or sale id: a UUID. */
  static final class Id implements ITypeConverter<UUID> {
    @Override
    public UUID convert(String value) {
      try {
        UUID id = UUID.fromString(value);
        if (id.toString().equalsIgnoreCase(value)) {
          return id;
        }
      } catch (IllegalArgumentException notAUuid) {
        // answered below
      }
      throw new TypeConversionException("'" + value
          + "' is not an id (a UUID such as 8a6e0804-2bd0-4672-b79d-d97027f9071a)");
    }
  }

  /** A time: an instant, an offset date-time, or relative to now. */
  static final class Time implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      return parseTime(value, Instant.now());
    }
  }

  static Instant parseTime(String value, Instant now) {
    Matcher relative = RELATIVE.matcher(value);
    if (relative.matches()) {
      ChronoUnit unit = switch (relative.group(2)) {
        case "s" -> ChronoUnit.SECONDS;
        case "m" -> ChronoUnit.MINUTES;
        case "h" -> ChronoUnit.HOURS;
        default -> ChronoUnit.DAYS;
      };
      return now.truncatedTo(ChronoUnit.SECONDS).plus(Duration.of(Long.parseLong(relative.group(1)), unit));
    }
    if (value.equals("now")) {
      return now.truncatedTo(ChronoUnit.SECONDS);
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException notATime) {
      throw new TypeConversionException("'" + value + "' is not a time: give " + TIME_FORMS);
    }
  }

  /** A number of units (stock, a limit): a whole number above 0. */
  static final class Units implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int units = Integer.parseInt(value);
        if (units > 0) {
          return units;
        }
      } catch (NumberFormatException notANumber) {
        // answered below
      }
      throw new TypeConversionException("'" + value + "' is not a whole number above 0");
    }
  }

  /** An admission rate: a whole number of buyers a second, 0 (automatic) or more. */
  static final class Rate implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int rate = Integer.parseInt(value);
        if (rate >= 0) {
          return rate;
        }
      } catch (NumberFormatException notANumber) {
        // answered below
      }
      throw new TypeConversionException("'" + value + "' is not a whole number of 0 or more");
    }
  }

  /** The API's base URL: http(s), a host, an optional port and path prefix; no trailing slash kept. */
  static final class ServerUrl implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      return parseUrl(value);
    }
  }

  static URI parseUrl(String value) {
    try {
      URI url = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      boolean http = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
      if (http && url.getHost() != null && url.getQuery() == null && url.getFragment() == null) {
        return url;
      }
    } catch (URISyntaxException notAUrl) {
      // answered below
    }
    throw new TypeConversionException("'" + value + "' is not an http(s) URL such as " + Session.DEFAULT_SERVER);
  }

  /** A sale list filter, as the API names it. */
  static final class SaleFilter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (SALE_FILTERS.contains(value)) {
        return value;
      }
      throw new TypeConversionException("'" + value + "' is not a status: give upcoming, live or ended");
    }
  }
}
