package com.flashsale.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code admin products create}: a new product; the API validates the fields and says what is wrong. */
@Command(name = "create",
    description = {"Create a product: POST /api/admin/products.",
        "Sends {name, description, imageUrl?, price}; the API checks the values."})
final class ProductCreateCommand extends ApiCommand {

  @Mixin
  Output output;

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "1 to 200 characters.")
  String name;

  @Option(names = "--description", required = true, paramLabel = "TEXT", description = "Up to 5,000 characters.")
  String description;

  @Option(names = "--image-url", paramLabel = "URL", description = "An http(s) URL or a path starting with /.")
  String imageUrl;

  @Option(names = "--price", required = true, paramLabel = "AMOUNT", description = "A decimal such as 99.90.")
  String price;

  @Override
  protected void run() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("description", description);
    if (imageUrl != null) {
      body.put("imageUrl", imageUrl);
    }
    body.put("price", price);
    output.show(out(), asAdmin().post("/api/admin/products", body), Views::product);
  }
}
