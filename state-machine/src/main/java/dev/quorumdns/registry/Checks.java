package dev.quorumdns.registry;

/** Small shared range checks producing {@link ValidationException}s. Stateless. */
final class Checks {
  private Checks() {}

  static int port(String field, int port) {
    return range(field, port, 1, 65535);
  }

  static int range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ValidationException(field, value + " (expected: " + min + ".." + max + ")");
    }
    return (int) value;
  }

  static void atMost(String field, int size, int max) {
    if (size > max) {
      throw new ValidationException(
          field, "has " + size + " entries (expected: at most " + max + ")");
    }
  }
}
