package dev.quorumdns.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds {@link Settings} for {@code quorumdns node} from, in rising precedence: a YAML file
 * ({@code --config}), {@code QUORUMDNS_*} environment variables, and command-line flags. Stateless.
 */
public final class ConfigLoader {
  /**
   * Every key a node understands; flags are {@code --key}, env vars {@code QUORUMDNS_KEY}, YAML
   * {@code key:}.
   */
  public static final Set<String> KEYS =
      NodeFlags.KEYS.stream().map(NodeFlags.Key::name).collect(Collectors.toUnmodifiableSet());

  private ConfigLoader() {}

  /** The config of a command line ({@link NodeFlags}) over the environment and the YAML file. */
  public static NodeConfig load(List<String> args, Map<String, String> env) {
    return load(NodeFlags.parse(args), env);
  }

  /**
   * The config of command-line {@code flags} over the environment and the YAML file ({@code
   * config}).
   */
  public static NodeConfig load(Settings flags, Map<String, String> env) {
    Settings merged = new Settings();
    String file = flags.string("config", env.get("QUORUMDNS_CONFIG"));
    if (file != null) {
      merged.merge(fromYaml(Path.of(file)));
    }
    merged.merge(fromEnv(env));
    flags.keys().stream()
        .filter(k -> !k.equals("config"))
        .forEach(k -> merged.put(k, flags.list(k)));
    return NodeConfig.from(merged);
  }

  static Settings fromEnv(Map<String, String> env) {
    Settings s = new Settings();
    for (String key : KEYS) {
      String v = env.get("QUORUMDNS_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (v != null && !v.isEmpty()) {
        s.put(key, v);
      }
    }
    return s;
  }

  static Settings fromYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ValidationException("config", "cannot read " + file + ": " + e.getMessage());
    }
    Settings s = new Settings();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return s;
    }
    if (!root.isObject()) {
      throw new ValidationException("config", file + " must be a YAML mapping of key: value");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (!KEYS.contains(key)) {
        throw new ValidationException(key, "unknown key in " + file);
      }
      JsonNode v = e.getValue();
      List<String> values = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(x -> values.add(scalar(key, x)));
      } else if (v.isObject() && key.equals("peers")) {
        v.fields().forEachRemaining(p -> values.add(p.getKey() + "=" + scalar(key, p.getValue())));
      } else {
        values.add(scalar(key, v));
      }
      s.put(key, values);
    }
    return s;
  }

  private static String scalar(String key, JsonNode v) {
    if (!v.isValueNode()) {
      throw new ValidationException(key, "must be a scalar or a list of scalars");
    }
    return v.asText();
  }
}
