package com.flashsale.product;

/** A product as the API shows it; {@code price} is a decimal string, {@code imageUrl} may be null. */
public record Product(String id, String name, String description, String imageUrl, String price) {}
