package dev.quorumdns.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The workload's view of a service body: its endpoints. The canonical text form ("10.1.0.5:8080",
 * comma-separated, sorted) is what the history stores and what reads are compared on. Immutable.
 */
public record ServiceSpec(List<String> endpoints) {
  public ServiceSpec {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints: empty (expected: at least one address:port)");
    }
    for (String e : endpoints) {
      int colon = e.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("endpoint: " + e + " (expected: address:port)");
      }
      int port = Integer.parseInt(e.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("endpoint port: " + port + " (expected: 1..65535)");
      }
    }
    endpoints = endpoints.stream().sorted().toList();
  }

  public static ServiceSpec parse(String canonical) {
    return new ServiceSpec(List.of(canonical.split(",")));
  }

  public String canonical() {
    return String.join(",", endpoints);
  }

  /** Splits "ns/name" into its two labels. */
  public static String[] key(String name) {
    int slash = name.indexOf('/');
    if (slash <= 0 || slash == name.length() - 1) {
      throw new IllegalArgumentException("name: " + name + " (expected: namespace/name)");
    }
    return new String[] {name.substring(0, slash), name.substring(slash + 1)};
  }

  static List<String> endpointsOf(JsonNode service) {
    List<String> out = new ArrayList<>();
    service
        .path("endpoints")
        .forEach(e -> out.add(e.path("address").asText() + ":" + e.path("port").asInt()));
    return out;
  }
}
