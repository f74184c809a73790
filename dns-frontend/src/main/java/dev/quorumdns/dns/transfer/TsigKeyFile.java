package dev.quorumdns.dns.transfer;

import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Reads TSIG keys in the format BIND's {@code tsig-keygen} writes (and {@code named.conf}
 * includes), one or more {@code key} statements:
 *
 * <pre>
 * key "xfr-key" {
 *     algorithm hmac-sha256;
 *     secret "VIg6XG8z7qNh6EWgfVCKqSYqFgCcWPcygND+09u9i2M=";
 * };
 * </pre>
 *
 * Comments ({@code #}, {@code //}, {@code /* *}{@code /}) are skipped. Errors name {@value #KEY},
 * the file and the line, and never quote a secret. Stateless.
 */
public final class TsigKeyFile {
  public static final String KEY = "tsig-key-file";

  private TsigKeyFile() {}

  /**
   * Reads {@code file}, refusing one that group or others may read or write (where the file system
   * is POSIX).
   */
  public static List<TsigKey> read(Path file) {
    checkPermissions(file);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ValidationException(KEY, "cannot read " + file + ": " + e);
    }
    return parse(file.toString(), text);
  }

  private static void checkPermissions(Path file) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return;
    } catch (IOException e) {
      throw new ValidationException(KEY, "cannot read " + file + ": " + e);
    }
    for (PosixFilePermission p : perms) {
      if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
        throw new ValidationException(
            KEY,
            file
                + " is open to group or others (mode "
                + PosixFilePermissions.toString(perms)
                + "); chmod 600 "
                + file);
      }
    }
  }

  /** Parses key statements; {@code source} names the file in errors. */
  public static List<TsigKey> parse(String source, String text) {
    Tokens t = new Tokens(source, text);
    List<TsigKey> keys = new ArrayList<>();
    Set<Name> names = new HashSet<>();
    while (t.peek() != null) {
      int line = t.line();
      if (!t.next().equals("key")) {
        throw t.error(
            line,
            "expected a key statement (key \"name\" { algorithm hmac-sha256; secret \"...\"; };)");
      }
      TsigKey k = key(t, line);
      if (!names.add(k.name())) {
        throw t.error(line, "key " + k.name() + " is defined twice");
      }
      keys.add(k);
    }
    if (keys.isEmpty()) {
      throw new ValidationException(
          KEY, source + ": no key statement (make one with tsig-keygen NAME > FILE)");
    }
    return List.copyOf(keys);
  }

  private static TsigKey key(Tokens t, int line) {
    String rawName = t.word("a key name");
    Name name;
    try {
      name = Name.fromString(rawName, Name.root).canonicalize();
    } catch (TextParseException e) {
      throw t.error(line, "key name '" + rawName + "' is not a DNS name: " + e.getMessage());
    }
    t.expect("{");
    String algorithm = null;
    byte[] secret = null;
    while (!"}".equals(t.peek())) {
      int at = t.line();
      String field = t.word("algorithm, secret or }");
      switch (field.toLowerCase(Locale.ROOT)) {
        case "algorithm" -> {
          algorithm = t.word("an algorithm").toLowerCase(Locale.ROOT);
          if (!algorithm.equals("hmac-sha256")) {
            throw t.error(
                at, "key " + name + ": algorithm " + algorithm + " (expected: hmac-sha256)");
          }
        }
        case "secret" -> {
          String b64 = t.word("a base64 secret");
          try {
            secret = Base64.getDecoder().decode(b64);
          } catch (IllegalArgumentException e) {
            throw t.error(at, "key " + name + ": the secret is not base64");
          }
          if (secret.length < 16) {
            throw t.error(
                at,
                "key "
                    + name
                    + ": the secret is "
                    + secret.length
                    + " bytes (expected: at least 16; tsig-keygen makes 32)");
          }
        }
        default ->
            throw t.error(
                at,
                "key " + name + ": unknown field '" + field + "' (expected: algorithm, secret)");
      }
      t.expect(";");
    }
    t.expect("}");
    t.expect(";");
    if (algorithm == null) {
      throw t.error(line, "key " + name + ": no algorithm (expected: algorithm hmac-sha256;)");
    }
    if (secret == null) {
      throw t.error(line, "key " + name + ": no secret");
    }
    return new TsigKey(name, secret);
  }

  /**
   * The named.conf lexicon we need: words, quoted strings, braces and semicolons; comments skipped.
   */
  private static final class Tokens {
    private final String source;
    private final String text;
    private int pos;
    private int line = 1;
    private String peeked;
    private int peekedLine;

    Tokens(String source, String text) {
      this.source = source;
      this.text = text;
    }

    int line() {
      peek();
      return peekedLine;
    }

    String peek() {
      if (peeked == null) {
        peeked = read();
        peekedLine = line;
      }
      return peeked;
    }

    String next() {
      String s = peek();
      if (s == null) {
        throw error(line, "unexpected end of file");
      }
      peeked = null;
      return s;
    }

    String word(String what) {
      int at = line();
      String s = next();
      if (s.equals("{") || s.equals("}") || s.equals(";")) {
        throw error(at, "expected " + what + ", found '" + s + "'");
      }
      return s.startsWith("\"") ? s.substring(1) : s;
    }

    void expect(String token) {
      int at = line();
      String s = next();
      if (!s.equals(token)) {
        throw error(
            at, "expected '" + token + "', found '" + (s.startsWith("\"") ? "\"...\"" : s) + "'");
      }
    }

    ValidationException error(int at, String message) {
      return new ValidationException(KEY, source + " line " + at + ": " + message);
    }

    /** The next token (a quoted string keeps its opening quote as a marker), or null at the end. */
    private String read() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '\n') {
          line++;
          pos++;
        } else if (Character.isWhitespace(c)) {
          pos++;
        } else if (c == '#' || text.startsWith("//", pos)) {
          while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
          }
        } else if (text.startsWith("/*", pos)) {
          int end = text.indexOf("*/", pos + 2);
          if (end < 0) {
            throw error(line, "unterminated /* comment");
          }
          for (int i = pos; i < end; i++) {
            if (text.charAt(i) == '\n') {
              line++;
            }
          }
          pos = end + 2;
        } else {
          break;
        }
      }
      peekedLine = line;
      if (pos >= text.length()) {
        return null;
      }
      char c = text.charAt(pos);
      if (c == '{' || c == '}' || c == ';') {
        pos++;
        return String.valueOf(c);
      }
      if (c == '"') {
        int end = text.indexOf('"', pos + 1);
        if (end < 0 || text.substring(pos, end).indexOf('\n') >= 0) {
          throw error(line, "unterminated quoted string");
        }
        String s = "\"" + text.substring(pos + 1, end);
        pos = end + 1;
        return s;
      }
      int start = pos;
      while (pos < text.length()
          && !Character.isWhitespace(text.charAt(pos))
          && "{};\"".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      return text.substring(start, pos);
    }
  }
}
