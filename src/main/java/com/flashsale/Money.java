package com.flashsale;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Pattern;

/** Money is a decimal string on the wire ("999.99"): at most 10 integer digits and 2 decimals. */
public final class Money {

  private static final Pattern FORMAT = Pattern.compile("(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?");

  private Money() {}

  public static Optional<BigDecimal> parse(String text) {
    if (text == null || !FORMAT.matcher(text).matches()) {
      return Optional.empty();
    }
    return Optional.of(new BigDecimal(text).setScale(2, RoundingMode.UNNECESSARY));
  }

  public static String format(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
