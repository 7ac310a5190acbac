package com.flashsale;

import java.util.List;

/** A list answer: {@code next} is the cursor for {@code ?after=}, or null on the last page. */
public record Page<T>(List<T> items, String next) {}
