package com.flashsale.admin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for people: every column padded to its widest cell, two spaces between columns,
 * an upper-case header row unless it is a list of fields (a name and a value per row).
 */
final class Table {

  private static final String GAP = "  ";

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  private Table(List<String> header) {
    this.header = header;
  }

  static Table columns(String... names) {
    return new Table(Arrays.stream(names).map(String::toUpperCase).toList());
  }

  /** Name–value rows without a header, for one object. */
  static Table fields() {
    return new Table(List.of());
  }

  /** A row; a null cell shows as "-". */
  Table row(Object... cells) {
    rows.add(Arrays.stream(cells).map(cell -> cell == null ? "-" : cell.toString()).toList());
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String render() {
    List<List<String>> lines = new ArrayList<>();
    if (!header.isEmpty()) {
      lines.add(header);
    }
    lines.addAll(rows);
    int columns = lines.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> line : lines) {
      StringBuilder row = new StringBuilder();
      for (int i = 0; i < line.size(); i++) {
        row.append(i == 0 ? "" : GAP).append(line.get(i)).append(" ".repeat(widths[i] - line.get(i).length()));
      }
      text.append(row.toString().stripTrailing()).append(System.lineSeparator());
    }
    return text.toString();
  }
}
