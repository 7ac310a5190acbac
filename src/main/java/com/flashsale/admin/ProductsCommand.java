package com.flashsale.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code admin products}: the product commands; without one it is a usage error. */
@Command(name = "products",
    description = "Products: list them, create one.",
    subcommands = {ProductListCommand.class, ProductCreateCommand.class})
final class ProductsCommand {

  @Mixin
  HelpOption help;
}
