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

/**
 * Builds {@link Settings} for {@code quorumdns node} from, in rising precedence: a YAML file
 * ({@code --config}), {@code QUORUMDNS_*} environment variables, and command-line flags. Stateless.
 */
public final class ConfigLoader {
  /** Every key a node understands; flags are {@code --key}, env vars {@code QUORUMDNS_KEY}, YAML {@code key:}. */
  public static final Set<String> KEYS = Set.of(
      "id", "cluster", "data-dir", "bind", "advertise", "dns-port", "api-port", "raft-port", "peers", "join",
      "domain", "vip-cidr", "vip6-cidr", "vip-hold-down", "dns-ttl", "dns-negative-ttl", "upstream",
      "api-token-file", "election-timeout", "snapshot-threshold", "write-timeout", "dns-threads",
      "raft-segment-size", "dns-rrl-rate", "dns-rrl-slip", "dns-rrl-exempt", "dns-rrl-ipv4-prefix",
      "dns-rrl-ipv6-prefix", "dns-rrl-table-size", "dns-tcp-per-client", "upstream-allow",
      "token-file", "audit-log", "api-request-timeout", "api-max-connections", "api-max-connections-per-client",
      "tls-cert", "tls-key", "tls-ca", "api-client-certs", "tls-reload-interval");
  private static final Set<String> BOOLEAN_FLAGS = Set.of("join");

  private ConfigLoader() {}

  public static NodeConfig load(List<String> args, Map<String, String> env) {
    Settings flags = parseFlags(args);
    Settings merged = new Settings();
    String file = flags.string("config", env.get("QUORUMDNS_CONFIG"));
    if (file != null) {
      merged.merge(fromYaml(Path.of(file)));
    }
    merged.merge(fromEnv(env));
    flags.keys().stream().filter(k -> !k.equals("config")).forEach(k -> merged.put(k, flags.list(k)));
    return NodeConfig.from(merged);
  }

  /** Parses {@code --key value}, {@code --key=value} and bare boolean flags. */
  public static Settings parseFlags(List<String> args) {
    Settings s = new Settings();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new ValidationException(a, "unexpected argument (expected: --key value)");
      }
      String key = a.substring(2);
      String value;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (BOOLEAN_FLAGS.contains(key) && (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new ValidationException(key, "needs a value");
      }
      if (!KEYS.contains(key) && !key.equals("config")) {
        throw new ValidationException(key, "unknown flag --" + key);
      }
      List<String> all = new ArrayList<>(s.list(key));
      all.add(value);
      s.put(key, key.equals("peers") || key.equals("upstream") ? all : List.of(value));
    }
    return s;
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
