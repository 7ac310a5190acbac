package com.flashsale.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The proxies whose client-address header is believed: address ranges (CIDRs) of the nginx in front. A request
 * from anywhere else is counted by its own TCP peer address, so a client that reaches a node directly cannot
 * pick the address its rate limit counts. The header's value is taken only when it is an IP address literal
 * (never resolved as a name).
 */
public final class TrustedProxies {

  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}(:" + IPV4.pattern() + ")?");

  private record Range(byte[] network, int prefixBits) {

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int bits = prefixBits;
      for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
        if ((address[i] & mask) != (network[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = ranges;
  }

  /** Comma-separated CIDRs ({@code 10.0.0.0/8, ::1/128}); a bare address is a range of one. */
  public static TrustedProxies parse(String cidrs) {
    List<Range> ranges = new ArrayList<>();
    for (String cidr : cidrs.split(",")) {
      String trimmed = cidr.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int slash = trimmed.indexOf('/');
      byte[] network = literal(slash < 0 ? trimmed : trimmed.substring(0, slash))
          .orElseThrow(() -> new IllegalArgumentException("Not an address range: '" + trimmed + "'"))
          .getAddress();
      int bits = network.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > network.length * 8) {
          throw new IllegalArgumentException("Not an address range: '" + trimmed + "'");
        }
      }
      ranges.add(new Range(network, bits));
    }
    return new TrustedProxies(List.copyOf(ranges));
  }

  boolean trusts(InetAddress peer) {
    byte[] address = peer.getAddress();
    return ranges.stream().anyMatch(range -> range.contains(address));
  }

  /** The address {@code text} spells, if it is an IPv4 or IPv6 literal. */
  static Optional<InetAddress> literal(String text) {
    if (!IPV4.matcher(text).matches() && !(text.indexOf(':') >= 0 && IPV6.matcher(text).matches())) {
      return Optional.empty();
    }
    try {
      // A literal is parsed, never looked up: the patterns above admit nothing else.
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException malformed) {
      return Optional.empty();
    }
  }
}
