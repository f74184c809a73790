package dev.quorumdns.registry;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a client asks to register: ports, endpoints, labels, and optionally static VIPs, or no VIP
 * at all (headless). Immutable; the lists and map are unmodifiable, labels sorted by key.
 *
 * @param vip4 a static IPv4 VIP the client asks for, or null to have one allocated
 * @param vip6 a static IPv6 VIP the client asks for, or null to have one allocated
 * @param headless no VIP: DNS answers with the addresses of the serving endpoints instead
 *     (Kubernetes' {@code clusterIP: None})
 */
public record ServiceSpec(
    List<ServicePort> ports,
    List<Endpoint> endpoints,
    Map<String, String> labels,
    Inet4Address vip4,
    Inet6Address vip6,
    boolean headless) {
  public static final int MAX_PORTS = 64;
  public static final int MAX_ENDPOINTS = 1024;
  public static final int MAX_LABELS = 64;
  public static final int MAX_LABEL_KEY_LENGTH = 253;
  public static final int MAX_LABEL_VALUE_LENGTH = 1024;

  public ServiceSpec {
    ports = List.copyOf(noNulls("ports", ports));
    endpoints = List.copyOf(noNulls("endpoints", endpoints));
    labels = normalizeLabels(labels == null ? Map.of() : labels);
    Checks.atMost("ports", ports.size(), MAX_PORTS);
    Checks.atMost("endpoints", endpoints.size(), MAX_ENDPOINTS);
    Set<String> srvNames = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort p = ports.get(i);
      if (p.name() != null && !srvNames.add(p.name() + "/" + p.protocol())) {
        throw new ValidationException(
            "ports[" + i + "].name",
            "'" + p.name() + "' is used twice for " + p.protocol().label());
      }
    }
    if (headless && (vip4 != null || vip6 != null)) {
      throw new ValidationException(
          vip4 != null ? "vip4" : "vip6", "a headless service has no VIP");
    }
  }

  /** A service with a VIP. */
  public ServiceSpec(
      List<ServicePort> ports,
      List<Endpoint> endpoints,
      Map<String, String> labels,
      Inet4Address vip4,
      Inet6Address vip6) {
    this(ports, endpoints, labels, vip4, vip6, false);
  }

  /** A spec with only ports, for tests and demos. */
  public static ServiceSpec ofPorts(ServicePort... ports) {
    return new ServiceSpec(List.of(ports), List.of(), Map.of(), null, null);
  }

  /** The same spec without static VIP requests: what is stored once the VIPs are allocated. */
  public ServiceSpec withoutVips() {
    return vip4 == null && vip6 == null
        ? this
        : new ServiceSpec(ports, endpoints, labels, null, null, headless);
  }

  /** The same spec with other endpoints. */
  public ServiceSpec withEndpoints(List<Endpoint> others) {
    return new ServiceSpec(ports, others, labels, vip4, vip6, headless);
  }

  /** True if it needs the second spec format: headless, or an endpoint with a health or a lease. */
  public boolean needsFormat2() {
    if (headless) {
      return true;
    }
    for (Endpoint e : endpoints) {
      if (e.hasStatus()) {
        return true;
      }
    }
    return false;
  }

  private static <T> List<T> noNulls(String field, List<T> in) {
    if (in == null) {
      return List.of();
    }
    for (int i = 0; i < in.size(); i++) {
      if (in.get(i) == null) {
        throw new ValidationException(field + "[" + i + "]", "is null");
      }
    }
    return in;
  }

  private static Map<String, String> normalizeLabels(Map<String, String> in) {
    Checks.atMost("labels", in.size(), MAX_LABELS);
    TreeMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : in.entrySet()) {
      String key = e.getKey();
      checkLabelKey(key);
      String field = "labels." + key;
      String value = e.getValue();
      if (value == null) {
        throw new ValidationException(field, "is null (expected: a string)");
      }
      if (value.length() > MAX_LABEL_VALUE_LENGTH) {
        throw new ValidationException(
            field,
            "is "
                + value.length()
                + " characters long (expected: at most "
                + MAX_LABEL_VALUE_LENGTH
                + ")");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          throw new ValidationException(field, "contains a control character");
        }
        // The codec writes UTF-8: an unpaired surrogate would be stored as '?', not as sent.
        if (Character.isSurrogate(c)) {
          boolean paired =
              Character.isHighSurrogate(c)
                  && i + 1 < value.length()
                  && Character.isLowSurrogate(value.charAt(i + 1));
          if (!paired) {
            throw new ValidationException(
                field, "contains an unpaired surrogate (expected: Unicode text)");
          }
          i++;
        }
      }
      out.put(key, value);
    }
    return Collections.unmodifiableMap(out);
  }

  private static void checkLabelKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_LABEL_KEY_LENGTH) {
      throw new ValidationException(
          "labels",
          "key '"
              + (key == null ? "null" : DnsLabel.printable(key))
              + "' (expected: 1.."
              + MAX_LABEL_KEY_LENGTH
              + " characters)");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      boolean edge = i == 0 || i == key.length() - 1;
      if (!alnum && (edge || (c != '-' && c != '_' && c != '.' && c != '/'))) {
        throw new ValidationException(
            "labels",
            "key '"
                + DnsLabel.printable(key)
                + "' (expected: letters, digits and -_./ inside, a letter or digit at each end)");
      }
    }
  }
}
