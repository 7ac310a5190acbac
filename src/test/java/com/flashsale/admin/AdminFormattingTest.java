package com.flashsale.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The pieces that need no server: reading times and URLs, drawing tables, wording API problems. */
class AdminFormattingTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00.750Z");

  @Test
  void readsInstantsAndOffsetTimes() {
    assertThat(ArgumentTypes.parseTime("2026-11-23T10:00:00Z", NOW)).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    assertThat(ArgumentTypes.parseTime("2026-11-23T11:30:00+01:00", NOW))
        .isEqualTo(Instant.parse("2026-11-23T10:30:00Z"));
  }

  @Test
  void readsTimesRelativeToNowInWholeSeconds() {
    assertThat(ArgumentTypes.parseTime("now", NOW)).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    assertThat(ArgumentTypes.parseTime("+30s", NOW)).isEqualTo(Instant.parse("2026-11-23T10:00:30Z"));
    assertThat(ArgumentTypes.parseTime("+5m", NOW)).isEqualTo(Instant.parse("2026-11-23T10:05:00Z"));
    assertThat(ArgumentTypes.parseTime("+1h", NOW)).isEqualTo(Instant.parse("2026-11-23T11:00:00Z"));
    assertThat(ArgumentTypes.parseTime("+2d", NOW)).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
  }

  @Test
  void rejectsWhatIsNotATime() {
    for (String bad : List.of("tomorrow", "5m", "+5", "+5w", "-5m", "2026-11-23", "2026-11-23T10:00:00", "")) {
      assertThatThrownBy(() -> ArgumentTypes.parseTime(bad, NOW)).as(bad)
          .isInstanceOf(TypeConversionException.class).hasMessageContaining("is not a time");
    }
  }

  @Test
  void readsServerUrlsWithoutTheTrailingSlash() {
    assertThat(ArgumentTypes.parseUrl("http://127.0.0.1:8080/")).isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(ArgumentTypes.parseUrl("https://shop.example/flashsale"))
        .isEqualTo(URI.create("https://shop.example/flashsale"));
    for (String bad : List.of("localhost:8080", "ftp://example.com", "http://", "http://x.example?y=1", "not a url")) {
      assertThatThrownBy(() -> ArgumentTypes.parseUrl(bad)).as(bad).isInstanceOf(TypeConversionException.class);
    }
  }

  @Test
  void padsEveryColumnToItsWidestCell() {
    String table = Table.columns("id", "name").row("1", "Lamp").row("200", null).render();

    assertThat(table.lines().toList()).containsExactly("ID   NAME", "1    Lamp", "200  -");
  }

  @Test
  void wordsAProblemAsTitleDetailAndCodeWithItsFields() {
    ApiProblem problem = ApiProblem.parse(400, """
        {"type":"about:blank","title":"Invalid request","status":400,"code":"VALIDATION",
         "detail":"The request has invalid fields","errors":[{"field":"stock","message":"must be > 0"}]}""")
        .orElseThrow();

    assertThat(problem.describe().lines().toList()).containsExactly(
        "Invalid request: The request has invalid fields (VALIDATION)", "  stock: must be > 0");
  }

  @Test
  void anErrorAnswerWithoutACodeIsNoProblemOfOurs() {
    assertThat(ApiProblem.parse(502, "<html>Bad Gateway</html>")).isEmpty();
    assertThat(ApiProblem.parse(404, "{\"error\":\"nope\"}")).isEmpty();
  }
}
