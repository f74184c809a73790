package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw configuration as kebab-case keys to string values, merged from defaults, a YAML file, {@code
 * QUORUMDNS_*} environment variables and command-line flags (later sources win). Typed getters
 * validate and name the key on error. Not thread-safe; used while starting up.
 */
public final class Settings {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(KB|MB|GB)?");
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  /** Replaces the values of {@code key}. */
  public Settings put(String key, List<String> v) {
    values.put(key, new ArrayList<>(v));
    return this;
  }

  public Settings put(String key, String v) {
    return put(key, List.of(v));
  }

  /** Adds every key of {@code other}, replacing what is here. */
  public Settings merge(Settings other) {
    other.values.forEach(this::put);
    return this;
  }

  public boolean has(String key) {
    return values.containsKey(key) && !values.get(key).isEmpty();
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public String string(String key, String fallback) {
    List<String> v = values.get(key);
    return v == null || v.isEmpty() ? fallback : v.get(v.size() - 1).trim();
  }

  public String required(String key) {
    String v = string(key, null);
    if (v == null || v.isEmpty()) {
      throw new ValidationException(key, "is required");
    }
    return v;
  }

  /** All values of a repeatable key; comma-separated values are split. */
  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    for (String v : values.getOrDefault(key, List.of())) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  public int integer(String key, int fallback, int min, int max) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new ValidationException(key, n + " (expected: " + min + ".." + max + ")");
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new ValidationException(
          key, "'" + v + "' is not a number (expected: " + min + ".." + max + ")");
    }
  }

  public boolean bool(String key, boolean fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "" -> true;
      case "false", "no", "0" -> false;
      default -> throw new ValidationException(key, "'" + v + "' (expected: true or false)");
    };
  }

  /**
   * A size such as {@code 8MB}, {@code 64KB} or a plain number of bytes, within {@code min..max}.
   */
  public long bytes(String key, long fallback, long min, long max) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    Matcher m = SIZE.matcher(v.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new ValidationException(key, "'" + v + "' (expected: a size such as 64KB or 8MB)");
    }
    long n = Long.parseLong(m.group(1));
    long unit =
        switch (m.group(2) == null ? "" : m.group(2)) {
          case "KB" -> 1L << 10;
          case "MB" -> 1L << 20;
          case "GB" -> 1L << 30;
          default -> 1;
        };
    long bytes = n * unit;
    if (bytes < min || bytes > max) {
      throw new ValidationException(key, v + " (expected: " + min + ".." + max + " bytes)");
    }
    return bytes;
  }

  public Duration duration(String key, Duration fallback) {
    String v = string(key, null);
    return v == null ? fallback : parseDuration(key, v);
  }

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d} or ISO-8601 {@code
   * PT10M}.
   */
  public static Duration parseDuration(String key, String v) {
    String t = v.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new ValidationException(
          key, "'" + v + "' (expected: a duration such as 500ms, 30s, 10m)");
    }
  }
}
