package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.ErrorCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The limits of a JSON body that hold before any value is built from it. */
class JsonBodyTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void takesNumbersUpToTwentyCharacters() {
    String twenty = "-" + "9".repeat(19);
    String decimal = "12345678901234567.50";

    assertThat(JsonBody.parseObject(utf8("{\"a\":" + twenty + ",\"b\":" + decimal + "}")).get("a").asText())
        .isEqualTo(twenty);
  }

  @Test
  void refusesALongerNumberBeforeConvertingIt() {
    for (String number : new String[] {"9".repeat(21), "1." + "0".repeat(19), "1e" + "9".repeat(60_000)}) {
      assertThatThrownBy(() -> JsonBody.parseObject(utf8("{\"stock\":[" + number + "]}")))
          .isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
            assertThat(e.getMessage()).contains("longer than 20 characters");
          });
    }
  }

  @Test
  void refusesNestingDeeperThanItsBound() {
    String deep = "[".repeat(JsonBody.MAX_DEPTH) + "]".repeat(JsonBody.MAX_DEPTH);

    assertThatThrownBy(() -> JsonBody.parseObject(utf8("{\"a\":" + deep + "}")))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage()).contains("nested too deeply"));
  }
}
