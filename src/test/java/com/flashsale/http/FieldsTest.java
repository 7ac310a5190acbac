package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flashsale.ErrorCode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a body's fields accept, checked before anything is done with them. */
class FieldsTest {

  private static Fields body(String json) {
    return Fields.of(JsonBody.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void takesInstantsFrom2000ToBefore2100() {
    Fields fields = body("{\"startsAt\":\"2000-01-01T00:00:00Z\",\"endsAt\":\"2099-12-31T23:59:59.999Z\"}");

    assertThat(fields.instant("startsAt")).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(fields.instant("endsAt")).isEqualTo(Instant.parse("2099-12-31T23:59:59.999Z"));
    fields.validate();
  }

  @Test
  void refusesInstantsOutsideThatRangeNamingTheField() {
    for (String far : new String[] {"+999999999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "1999-12-31T23:59:59Z",
        "-000001-01-01T00:00:00Z"}) {
      Fields fields = body("{\"startsAt\":\"" + far + "\"}");

      assertThat(fields.optionalInstant("startsAt")).as(far).isNull();
      assertThatThrownBy(fields::validate).isInstanceOfSatisfying(ApiError.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
        assertThat(e.errors()).singleElement().satisfies(error -> {
          assertThat(error.field()).isEqualTo("startsAt");
          assertThat(error.message()).contains("2100-01-01T00:00:00Z");
        });
      });
    }
  }
}
