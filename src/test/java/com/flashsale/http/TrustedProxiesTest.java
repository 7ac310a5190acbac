package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Whose client-address header is believed, and which header values are addresses at all. */
class TrustedProxiesTest {

  private static InetAddress address(String literal) {
    return TrustedProxies.literal(literal).orElseThrow();
  }

  @Test
  void trustsExactlyTheConfiguredRanges() {
    TrustedProxies proxies = TrustedProxies.parse("172.28.0.0/24, 10.0.0.7, ::1/128, fd00::/8");

    assertThat(proxies.trusts(address("172.28.0.1"))).isTrue();
    assertThat(proxies.trusts(address("172.28.0.255"))).isTrue();
    assertThat(proxies.trusts(address("172.28.1.1"))).isFalse();
    assertThat(proxies.trusts(address("10.0.0.7"))).isTrue();
    assertThat(proxies.trusts(address("10.0.0.8"))).isFalse();
    assertThat(proxies.trusts(address("::1"))).isTrue();
    assertThat(proxies.trusts(address("fd12:3456::1"))).isTrue();
    assertThat(proxies.trusts(address("fe80::1"))).isFalse();
    assertThat(proxies.trusts(address("127.0.0.1"))).isFalse();
    assertThat(TrustedProxies.parse("").trusts(address("127.0.0.1"))).isFalse();
  }

  @Test
  void takesOnlyAddressLiteralsAndNeverLooksANameUp() {
    assertThat(TrustedProxies.literal("203.0.113.9")).contains(address("203.0.113.9"));
    assertThat(TrustedProxies.literal("2001:db8::1")).isPresent();
    for (String notAnAddress : new String[] {"localhost", "example.com", "999.1.1.1", "1.2.3", "1.2.3.4.5",
        "203.0.113.9, 10.0.0.1", "", " ", "::g", "x".repeat(10_000)}) {
      assertThat(TrustedProxies.literal(notAnAddress)).as(notAnAddress).isEmpty();
    }
  }

  @Test
  void refusesARangeThatIsNotOne() {
    for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/x", "proxy.local", "::1/129"}) {
      assertThatThrownBy(() -> TrustedProxies.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
