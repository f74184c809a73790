package dev.quorumdns.node.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the token file ({@code --token-file}): a YAML list of tokens, each with an {@code id}, a
 * {@code secret} or its {@code sha256}, and {@code scopes}. Every error names the file, the line
 * and the field, and never quotes a secret. Stateless.
 *
 * <pre>
 * tokens:
 *   - id: deploy-bot
 *     sha256: 3f0a...   # printf %s "$SECRET" | sha256sum
 *     scopes: [write:prod, write:staging]
 * </pre>
 */
public final class TokenFile {
  public static final String KEY = "token-file";
  public static final int MIN_SECRET_LENGTH = 16;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Set<String> FIELDS = Set.of("id", "secret", "sha256", "scopes");
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build());

  private TokenFile() {}

  /**
   * Refuses a file that group or others may read or write (a no-op where the file system is not
   * POSIX).
   */
  public static void checkPermissions(Path file) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return;
    } catch (IOException e) {
      throw new ValidationException(KEY, "cannot read " + file + ": " + e.getMessage());
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

  /** Reads and parses {@code file}. */
  public static List<ApiToken> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ValidationException(KEY, "cannot read " + file + ": " + e);
    }
    return parse(file, bytes);
  }

  /** Parses the file's content; {@code file} is only used in error messages. */
  public static List<ApiToken> parse(Path file, byte[] content) {
    try (JsonParser p = YAML.createParser(content)) {
      JsonToken root = p.nextToken();
      if (root == null) {
        throw error(file, 1, "tokens", "is required (the file is empty)");
      }
      if (root != JsonToken.START_OBJECT) {
        throw error(
            file, line(p), "tokens", "the file must be a YAML mapping with a 'tokens' list");
      }
      List<ApiToken> tokens = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (!name.equals("tokens")) {
          throw error(file, line(p), name, "unknown key (expected: tokens)");
        }
        tokens = tokens(file, p);
      }
      if (tokens == null) {
        throw error(file, 1, "tokens", "is required");
      }
      return tokens;
    } catch (JsonProcessingException e) {
      throw syntax(file, e);
    } catch (IOException e) {
      throw new ValidationException(KEY, "cannot read " + file + ": " + e);
    }
  }

  private static List<ApiToken> tokens(Path file, JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_ARRAY) {
      throw error(file, line(p), "tokens", "must be a list of tokens");
    }
    List<ApiToken> out = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      int line = line(p);
      JsonNode node = p.readValueAsTree();
      ApiToken t = token(file, line, "tokens[" + i + "]", node);
      if (!ids.add(t.id())) {
        throw error(file, line, "tokens[" + i + "].id", "'" + t.id() + "' is used twice");
      }
      for (int j = 0; j < out.size(); j++) {
        if (out.get(j).sameSecret(t)) {
          throw error(
              file,
              line,
              "tokens[" + i + "]",
              "has the same secret as tokens["
                  + j
                  + "] ("
                  + out.get(j).id()
                  + "); give every token its own secret");
        }
      }
      out.add(t);
    }
    return List.copyOf(out);
  }

  private static ApiToken token(Path file, int line, String at, JsonNode n) {
    if (n == null || !n.isObject()) {
      throw error(file, line, at, "must be a mapping with id, secret or sha256, and scopes");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw error(
            file, line, at + "." + f, "unknown field (expected one of id, secret, sha256, scopes)");
      }
    }
    JsonNode idNode = n.get("id");
    if (idNode == null || !idNode.isTextual() || !ID.matcher(idNode.textValue()).matches()) {
      throw error(
          file,
          line,
          at + ".id",
          idNode == null
              ? "is required"
              : "must be 1..64 of A-Z a-z 0-9 . _ - " + "(it is written to logs)");
    }
    String id = idNode.textValue();
    JsonNode secret = n.get("secret");
    JsonNode hash = n.get("sha256");
    if ((secret == null) == (hash == null)) {
      throw error(file, line, at, "needs exactly one of secret or sha256");
    }
    byte[] digest;
    if (secret != null) {
      if (!secret.isTextual()) {
        throw error(file, line, at + ".secret", "must be a string");
      }
      String s = secret.textValue();
      if (s.length() < MIN_SECRET_LENGTH) {
        throw error(
            file,
            line,
            at + ".secret",
            "is shorter than "
                + MIN_SECRET_LENGTH
                + " characters (make one with: openssl rand -hex 32)");
      }
      if (!s.strip().equals(s) || s.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
        throw error(file, line, at + ".secret", "contains spaces or control characters");
      }
      digest = ApiToken.sha256(s);
    } else {
      if (!hash.isTextual() || !HEX.matcher(hash.textValue()).matches()) {
        throw error(
            file,
            line,
            at + ".sha256",
            "must be 64 hex digits (printf %s \"$SECRET\" | sha256sum)");
      }
      digest = HexFormat.of().parseHex(hash.textValue().toLowerCase(Locale.ROOT));
    }
    JsonNode sc = n.get("scopes");
    List<JsonNode> items = new ArrayList<>();
    if (sc == null || sc.isNull()) {
      throw error(file, line, at + ".scopes", "is required (" + Scope.EXPECTED + ")");
    } else if (sc.isArray()) {
      sc.forEach(items::add);
    } else {
      items.add(sc);
    }
    if (items.isEmpty()) {
      throw error(file, line, at + ".scopes", "is empty (" + Scope.EXPECTED + ")");
    }
    Set<Scope> scopes = new LinkedHashSet<>();
    for (int k = 0; k < items.size(); k++) {
      String field = at + ".scopes" + (sc.isArray() ? "[" + k + "]" : "");
      JsonNode v = items.get(k);
      if (!v.isTextual()) {
        throw error(file, line, field, "must be a string (" + Scope.EXPECTED + ")");
      }
      try {
        scopes.add(Scope.parse(field, v.textValue()));
      } catch (ValidationException e) {
        throw error(file, line, field, e.reason());
      }
    }
    return new ApiToken(id, digest, scopes);
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static ValidationException error(Path file, int line, String field, String reason) {
    return new ValidationException(KEY, file + " line " + line + ": " + field + ": " + reason);
  }

  /**
   * A YAML syntax error: line, column and the problem, never the source text (it may hold a
   * secret).
   */
  private static ValidationException syntax(Path file, JsonProcessingException e) {
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
    String problem;
    if (e.getCause() instanceof MarkedYAMLException m) {
      problem = m.getProblem();
      if (m.getProblemMark() != null) {
        line = m.getProblemMark().getLine() + 1;
        column = m.getProblemMark().getColumn() + 1;
      }
    } else {
      problem = e.getOriginalMessage();
    }
    String firstLine = problem == null ? "syntax error" : problem.split("\n")[0];
    return new ValidationException(
        KEY,
        file + " line " + line + ", column " + column + ": not valid YAML (" + firstLine + ")");
  }
}
