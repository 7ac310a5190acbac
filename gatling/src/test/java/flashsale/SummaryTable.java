package flashsale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints two FlashSaleRush (or WaitingRoomRush) summaries side by side with a ratio column (second / first), e.g.
 * a run with a feature off against one with it on, or the plain rush against the rush through a waiting room (the
 * rows marked "room:" are the waiting room's; "-" where a run has none). Uses nothing but the JDK, so it runs as a single source file:
 * {@code java gatling/src/test/java/flashsale/SummaryTable.java a.json b.json} (which is what
 * {@code gatling/summary-table.sh} does). Exits 1 when either run failed its audit or oversold.
 */
public final class SummaryTable {

  private static final String[][] ROWS = {
      {"buyers", "buyers"},
      {"stock", "stock"},
      {"rate", "arrival rate (users/s)"},
      {"attempts", "purchase attempts (incl. retries)"},
      {"attemptsPerSecond", "attempts/s over the run"},
      {"reservations", "reservations (201)"},
      {"reservationsPerSecondWhileSelling", "reservations/s while selling"},
      {"purchaseLatencyP50Ms", "purchase latency p50 (ms)"},
      {"purchaseLatencyP95Ms", "purchase latency p95 (ms)"},
      {"purchaseLatencyP99Ms", "purchase latency p99 (ms)"},
      {"purchaseLatencyMaxMs", "purchase latency max (ms)"},
      {"soldOutSeconds", "sold out after (s)"},
      {"allAnsweredSeconds", "all buyers answered after (s)"},
      {"buyersGaveUp", "buyers out of retries"},
      {"statuses.201", "201 new hold"},
      {"statuses.200", "200 existing hold"},
      {"statuses.409", "409 (sold out, limit …)"},
      {"statuses.429", "429 rate limited"},
      {"statuses.503", "503 overloaded"},
      {"statuses.other", "other / no answer"},
      {"prequeueJoined", "room: pre-queue joiners"},
      {"afterStartJoined", "room: after-start joiners"},
      {"admitted", "room: buyers admitted"},
      {"purchasedWithPass", "room: bought with a pass"},
      {"checkIns", "room: check-ins"},
      {"etaErrorP50Seconds", "room: ETA error p50 (s)"},
      {"etaErrorP90Seconds", "room: ETA error p90 (s)"},
      {"prequeueWinnersKsPValue", "room: pre-queue winners KS p"},
      {"buyersWithoutDefiniteAnswer", "room: buyers left unanswered"},
      {"oversell", "oversell (units)"},
      {"auditPassed", "audit passed"},
  };

  private SummaryTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: summary-table.sh FIRST.json SECOND.json   (ratio column = second / first)");
      System.exit(2);
    }
    Map<String, Object> first = flatten(new Parser(Files.readString(Path.of(args[0]))).value());
    Map<String, Object> second = flatten(new Parser(Files.readString(Path.of(args[1]))).value());
    String firstName = name(first, args[0]);
    String secondName = name(second, args[1]);
    String format = "%-36s %18s %18s %9s%n";
    System.out.printf(format, "", clip(firstName), clip(secondName), "ratio");
    System.out.printf(format, "-".repeat(36), "-".repeat(18), "-".repeat(18), "-".repeat(9));
    for (String[] row : ROWS) {
      Object a = first.get(row[0]);
      Object b = second.get(row[0]);
      System.out.printf(format, row[1], show(a), show(b), ratio(a, b));
    }
    boolean ok = passed(first) && passed(second);
    if (!ok) {
      System.out.println("AT LEAST ONE RUN FAILED ITS AUDIT OR OVERSOLD");
    }
    System.exit(ok ? 0 : 1);
  }

  private static boolean passed(Map<String, Object> summary) {
    return Boolean.TRUE.equals(summary.get("auditPassed"))
        && summary.get("oversell") instanceof Double oversell && oversell == 0;
  }

  private static String name(Map<String, Object> summary, String file) {
    Object label = summary.get("label");
    return label instanceof String text && !text.isBlank() ? text : Path.of(file).getFileName().toString();
  }

  private static String clip(String text) {
    return text.length() <= 18 ? text : text.substring(0, 17) + "…";
  }

  private static String show(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Double number) {
      return number == Math.rint(number) && Math.abs(number) < 1e15
          ? String.valueOf(number.longValue()) : String.format("%.2f", number);
    }
    return String.valueOf(value);
  }

  private static String ratio(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y && x != 0) {
      return String.format("%.2fx", y / x);
    }
    return "-";
  }

  /** Nested objects become dotted keys; arrays become their length. */
  private static Map<String, Object> flatten(Object json) {
    Map<String, Object> out = new LinkedHashMap<>();
    flatten("", json, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object value, Map<String, Object> out) {
    if (value instanceof Map<?, ?> object) {
      ((Map<String, Object>) object).forEach((key, inner) -> flatten(prefix.isEmpty() ? key : prefix + "." + key, inner, out));
    } else if (value instanceof List<?> list) {
      out.put(prefix, (double) list.size());
    } else {
      out.put(prefix, value);
    }
  }

  /** Just enough JSON for our own summaries: objects, arrays, strings, numbers (as Double), booleans, null. */
  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    Object value() {
      skipSpace();
      char c = text.charAt(at);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> object = new LinkedHashMap<>();
      at++;
      skipSpace();
      if (text.charAt(at) == '}') {
        at++;
        return object;
      }
      while (true) {
        skipSpace();
        String key = string();
        skipSpace();
        expect(':');
        object.put(key, value());
        skipSpace();
        if (text.charAt(at) == ',') {
          at++;
        } else {
          expect('}');
          return object;
        }
      }
    }

    private List<Object> array() {
      List<Object> array = new ArrayList<>();
      at++;
      skipSpace();
      if (text.charAt(at) == ']') {
        at++;
        return array;
      }
      while (true) {
        array.add(value());
        skipSpace();
        if (text.charAt(at) == ',') {
          at++;
        } else {
          expect(']');
          return array;
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (text.charAt(at) != '"') {
        char c = text.charAt(at++);
        if (c == '\\') {
          char escaped = text.charAt(at++);
          switch (escaped) {
            case 'n' -> out.append('\n');
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'u' -> {
              out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
              at += 4;
            }
            default -> out.append(escaped);
          }
        } else {
          out.append(c);
        }
      }
      at++;
      return out.toString();
    }

    private Double number() {
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
      if (start == at) {
        throw new IllegalArgumentException("Not JSON at offset " + at);
      }
      return Double.parseDouble(text.substring(start, at));
    }

    private Object literal(String word, Object value) {
      if (!text.startsWith(word, at)) {
        throw new IllegalArgumentException("Not JSON at offset " + at);
      }
      at += word.length();
      return value;
    }

    private void expect(char c) {
      if (text.charAt(at) != c) {
        throw new IllegalArgumentException("Expected '" + c + "' at offset " + at);
      }
      at++;
    }

    private void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }
  }
}
