package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.ValidationException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON forms of services. Parsing is strict: unknown fields, wrong types and out-of-range values
 * are refused with the field's path named ({@code ports[1].port}). Stateless and thread-safe.
 */
public final class ServiceJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> SPEC_FIELDS =
      Set.of("ports", "endpoints", "labels", "vip4", "vip6", "headless");
  private static final Set<String> PORT_FIELDS = Set.of("name", "protocol", "port");
  private static final Set<String> ENDPOINT_FIELDS =
      Set.of("address", "port", "weight", "health", "lease");

  private ServiceJson() {}

  /** Parses a service body ({@code {ports, endpoints, labels, vip4?, vip6?, headless?}}). */
  public static ServiceSpec parseSpec(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    onlyFields(body, SPEC_FIELDS, "");
    List<ServicePort> ports = new ArrayList<>();
    JsonNode ps = atMost(optionalArray(body, "ports"), "ports", ServiceSpec.MAX_PORTS);
    for (int i = 0; i < ps.size(); i++) {
      String at = "ports[" + i + "]";
      JsonNode p = object(ps.get(i), at);
      onlyFields(p, PORT_FIELDS, at + ".");
      try {
        ports.add(
            new ServicePort(
                optionalText(p, "name", at),
                Protocol.parse(
                    "protocol",
                    p.has("protocol") ? text(p.get("protocol"), at + ".protocol") : "tcp"),
                integer(p.get("port"), at + ".port", true)));
      } catch (ValidationException e) {
        throw e.field().startsWith(at) ? e : e.within(at);
      }
    }
    List<Endpoint> endpoints = new ArrayList<>();
    JsonNode es = atMost(optionalArray(body, "endpoints"), "endpoints", ServiceSpec.MAX_ENDPOINTS);
    for (int i = 0; i < es.size(); i++) {
      String at = "endpoints[" + i + "]";
      JsonNode e = object(es.get(i), at);
      onlyFields(e, ENDPOINT_FIELDS, at + ".");
      try {
        endpoints.add(
            new Endpoint(
                text(e.get("address"), at + ".address"),
                e.hasNonNull("port") ? integer(e.get("port"), at + ".port", true) : null,
                e.hasNonNull("weight") ? integer(e.get("weight"), at + ".weight", true) : null,
                e.hasNonNull("health")
                    ? Health.parse(at + ".health", text(e.get("health"), at + ".health"))
                    : null,
                e.hasNonNull("lease")
                    ? Lease.parseId(at + ".lease", text(e.get("lease"), at + ".lease"))
                    : null));
      } catch (ValidationException ex) {
        throw ex.field().startsWith(at) ? ex : ex.within(at);
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    JsonNode ls = body.get("labels");
    if (ls != null && !ls.isNull()) {
      if (!ls.isObject()) {
        throw new ValidationException("labels", "must be an object of string values");
      }
      atMost(ls, "labels", ServiceSpec.MAX_LABELS);
      for (Iterator<Map.Entry<String, JsonNode>> it = ls.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> l = it.next();
        labels.put(l.getKey(), text(l.getValue(), "labels." + l.getKey()));
      }
    }
    Inet4Address vip4 = null;
    if (body.hasNonNull("vip4")) {
      vip4 = IpAddresses.parse4("vip4", text(body.get("vip4"), "vip4"));
    }
    Inet6Address vip6 = null;
    if (body.hasNonNull("vip6")) {
      vip6 = IpAddresses.parse6("vip6", text(body.get("vip6"), "vip6"));
    }
    boolean headless = false;
    JsonNode h = body.get("headless");
    if (h != null && !h.isNull()) {
      if (!h.isBoolean()) {
        throw new ValidationException("headless", h + " (expected: true or false)");
      }
      headless = h.booleanValue();
    }
    return new ServiceSpec(ports, endpoints, labels, vip4, vip6, headless);
  }

  /** The service as the API returns it. */
  public static ObjectNode write(Service s, String domain) {
    ObjectNode o = F.objectNode();
    o.put("namespace", s.key().namespace());
    o.put("name", s.key().name());
    o.put("fqdn", s.key().fqdn(domain));
    if (s.vip4() == null) {
      o.putNull("vip4");
    } else {
      o.put("vip4", IpAddresses.format(s.vip4()));
    }
    if (s.vip6() == null) {
      o.putNull("vip6");
    } else {
      o.put("vip6", IpAddresses.format(s.vip6()));
    }
    ArrayNode ports = o.putArray("ports");
    for (ServicePort p : s.spec().ports()) {
      ObjectNode po = ports.addObject();
      if (p.name() == null) {
        po.putNull("name");
      } else {
        po.put("name", p.name());
      }
      po.put("protocol", p.protocol().label());
      po.put("port", p.port());
    }
    ArrayNode endpoints = o.putArray("endpoints");
    for (Endpoint e : s.spec().endpoints()) {
      ObjectNode eo = endpoints.addObject();
      eo.put("address", e.address());
      if (e.port() != null) {
        eo.put("port", e.port());
      }
      if (e.weight() != null) {
        eo.put("weight", e.weight());
      }
      eo.put("health", e.health().label());
      if (e.lease() != null) {
        eo.put("lease", Lease.formatId(e.lease()));
      }
    }
    o.put("headless", s.spec().headless());
    ObjectNode labels = o.putObject("labels");
    s.spec().labels().forEach(labels::put);
    o.put("revision", s.revision());
    o.put("createRevision", s.createRevision());
    return o;
  }

  static void onlyFields(JsonNode o, Set<String> allowed, String prefix) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new ValidationException(
            prefix + f, "unknown field (expected one of " + allowed + ")");
      }
    }
  }

  private static JsonNode optionalArray(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return F.arrayNode();
    }
    if (!v.isArray()) {
      throw new ValidationException(field, "must be an array");
    }
    return v;
  }

  /** Refuses an over-long array or object before anything is built from its entries. */
  private static JsonNode atMost(JsonNode v, String field, int max) {
    if (v.size() > max) {
      throw new ValidationException(
          field, "has " + v.size() + " entries (expected: at most " + max + ")");
    }
    return v;
  }

  private static JsonNode object(JsonNode v, String field) {
    if (v == null || !v.isObject()) {
      throw new ValidationException(field, "must be an object");
    }
    return v;
  }

  static String text(JsonNode v, String field) {
    if (v == null || v.isNull()) {
      throw new ValidationException(field, "is required");
    }
    if (!v.isTextual()) {
      throw new ValidationException(field, "must be a string");
    }
    return v.textValue();
  }

  private static String optionalText(JsonNode o, String name, String at) {
    JsonNode v = o.get(name);
    return v == null || v.isNull() ? null : text(v, at + "." + name);
  }

  static int integer(JsonNode v, String field, boolean required) {
    if (v == null || v.isNull()) {
      if (required) {
        throw new ValidationException(field, "is required");
      }
      return 0;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new ValidationException(field, v + " (expected: an integer)");
    }
    return v.intValue();
  }
}
