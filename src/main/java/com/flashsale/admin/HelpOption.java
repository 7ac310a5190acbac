package com.flashsale.admin;

import picocli.CommandLine.Option;

/** {@code -h, --help} on every admin command (without the standard {@code -V}: they have no version of their own). */
final class HelpOption {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;
}
