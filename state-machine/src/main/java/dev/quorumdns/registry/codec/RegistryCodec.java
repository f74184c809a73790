package dev.quorumdns.registry.codec;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.vip.VipHold;
import dev.quorumdns.registry.vip.VipPool;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary encodings of the registry's values, shared by the command codec and the RocksDB store.
 * These layouts are stored on disk and in the Raft log: change them only by adding a new format
 * version. Stateless and thread-safe.
 */
public final class RegistryCodec {
  static final int MAX_STRING = 4096;

  /** The first byte of a spec in format 2. */
  public static final int SPEC_V2 = 0xc2;

  private static final int FLAG_HEADLESS = 1;
  private static final int LEASE_V1 = 1;

  private RegistryCodec() {}

  public static void writeKey(ByteSink out, ServiceKey key) {
    out.string(key.namespace()).string(key.name());
  }

  public static ServiceKey readKey(ByteSource in) throws CodecException {
    String ns = in.string("namespace", 63);
    String name = in.string("name", 63);
    return valid(() -> new ServiceKey(ns, name));
  }

  /**
   * A spec in the oldest format that can hold it, so nodes of the previous version keep reading
   * everything until a feature of the newer format is used. Format 1 has no version byte:
   *
   * <pre>
   * spec     = ports endpoints labels vip4 vip6
   * ports    = varint n, n * (opt-string name, u8 protocol, varint port)
   * endpoint = string address, bool+varint port, bool+varint weight
   * labels   = varint n, n * (string key, string value)
   * </pre>
   *
   * Format 2 (headless services; endpoint health and leases) starts with {@value #SPEC_V2}, which
   * format 1 never does (its first byte is a port count, 0..64) and which a format-1 reader refuses
   * (a port count over 64):
   *
   * <pre>
   * spec2     = u8 0xc2, u8 flags (bit 0: headless), ports, varint n, n * endpoint2, labels, vip4, vip6
   * endpoint2 = endpoint, u8 health (0 passing, 1 warning, 2 critical), bool+fixed64 lease
   * </pre>
   */
  public static void writeSpec(ByteSink out, ServiceSpec spec) {
    boolean v2 = spec.needsFormat2();
    if (v2) {
      out.u8(SPEC_V2).u8(spec.headless() ? FLAG_HEADLESS : 0);
    }
    out.varLong(spec.ports().size());
    for (ServicePort p : spec.ports()) {
      out.optString(p.name()).u8(p.protocol().ordinal()).varLong(p.port());
    }
    out.varLong(spec.endpoints().size());
    for (Endpoint e : spec.endpoints()) {
      out.string(e.address());
      out.bool(e.port() != null);
      if (e.port() != null) {
        out.varLong(e.port());
      }
      out.bool(e.weight() != null);
      if (e.weight() != null) {
        out.varLong(e.weight());
      }
      if (v2) {
        out.u8(e.health().ordinal()).bool(e.lease() != null);
        if (e.lease() != null) {
          out.fixedLong(e.lease());
        }
      }
    }
    out.varLong(spec.labels().size());
    for (Map.Entry<String, String> l : spec.labels().entrySet()) {
      out.string(l.getKey()).string(l.getValue());
    }
    out.address(spec.vip4()).address(spec.vip6());
  }

  public static ServiceSpec readSpec(ByteSource in) throws CodecException {
    boolean v2 = in.remaining() > 0 && in.peek() == SPEC_V2;
    boolean headless = false;
    if (v2) {
      in.u8("spec format");
      int flags = in.u8("spec flags");
      if ((flags & ~FLAG_HEADLESS) != 0) {
        throw new CodecException("spec flags: unknown bits 0x" + Integer.toHexString(flags));
      }
      headless = (flags & FLAG_HEADLESS) != 0;
    }
    int nPorts = in.count("ports", ServiceSpec.MAX_PORTS);
    List<ServicePort> ports = new ArrayList<>(nPorts);
    for (int i = 0; i < nPorts; i++) {
      String name = in.optString("port name", 63);
      int proto = in.u8("protocol");
      if (proto >= Protocol.values().length) {
        throw new CodecException("protocol: unknown code " + proto);
      }
      int port = in.count("port", 65535);
      ports.add(valid(() -> new ServicePort(name, Protocol.values()[proto], port)));
    }
    int nEndpoints = in.count("endpoints", ServiceSpec.MAX_ENDPOINTS);
    List<Endpoint> endpoints = new ArrayList<>(nEndpoints);
    for (int i = 0; i < nEndpoints; i++) {
      String address = in.string("endpoint address", Endpoint.MAX_HOSTNAME_LENGTH + 2);
      Integer port = in.bool("endpoint port present") ? in.count("endpoint port", 65535) : null;
      Integer weight =
          in.bool("endpoint weight present") ? in.count("endpoint weight", 65535) : null;
      Health health = Health.PASSING;
      Long lease = null;
      if (v2) {
        int h = in.u8("endpoint health");
        if (h >= Health.values().length) {
          throw new CodecException("endpoint health: unknown code " + h);
        }
        health = Health.values()[h];
        lease = in.bool("endpoint lease present") ? in.fixedLong("endpoint lease") : null;
      }
      Health hv = health;
      Long lv = lease;
      endpoints.add(valid(() -> new Endpoint(address, port, weight, hv, lv)));
    }
    int nLabels = in.count("labels", ServiceSpec.MAX_LABELS);
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < nLabels; i++) {
      String k = in.string("label key", ServiceSpec.MAX_LABEL_KEY_LENGTH);
      String v = in.string("label value", ServiceSpec.MAX_LABEL_VALUE_LENGTH * 4);
      if (labels.put(k, v) != null) {
        throw new CodecException("labels: duplicate key " + k);
      }
    }
    InetAddress vip4 = in.address("vip4");
    InetAddress vip6 = in.address("vip6");
    if (vip4 != null && !(vip4 instanceof Inet4Address)
        || vip6 != null && !(vip6 instanceof Inet6Address)) {
      throw new CodecException("vip4/vip6: wrong address family");
    }
    boolean hl = headless;
    ServiceSpec spec =
        valid(
            () ->
                new ServiceSpec(
                    ports, endpoints, labels, (Inet4Address) vip4, (Inet6Address) vip6, hl));
    if (v2 && !spec.needsFormat2()) {
      throw new CodecException(
          "spec: format 2 holding nothing format 1 could not (not what a writer writes)");
    }
    return spec;
  }

  public static void writeService(ByteSink out, Service s) {
    writeKey(out, s.key());
    writeSpec(out, s.spec());
    out.address(s.vip4()).address(s.vip6());
    out.varLong(s.revision()).varLong(s.createRevision());
  }

  public static Service readService(ByteSource in) throws CodecException {
    ServiceKey key = readKey(in);
    ServiceSpec spec = readSpec(in);
    InetAddress vip4 = in.address("vip4");
    InetAddress vip6 = in.address("vip6");
    if (vip4 != null && !(vip4 instanceof Inet4Address)
        || vip6 != null && !(vip6 instanceof Inet6Address)) {
      throw new CodecException("service vips: wrong address family");
    }
    long revision = in.varLong("revision");
    long createRevision = in.varLong("createRevision");
    return valid(
        () ->
            new Service(
                key, spec, (Inet4Address) vip4, (Inet6Address) vip6, revision, createRevision));
  }

  public static void writeNode(ByteSink out, NodeRecord n) {
    out.string(n.id())
        .address(n.address())
        .varLong(n.raftPort())
        .varLong(n.apiPort())
        .varLong(n.dnsPort());
  }

  public static NodeRecord readNode(ByteSource in) throws CodecException {
    String id = in.string("node id", 63);
    InetAddress address = in.address("node address");
    int raft = in.count("raft port", 65535);
    int api = in.count("api port", 65535);
    int dns = in.count("dns port", 65535);
    if (address == null) {
      throw new CodecException("node address: missing");
    }
    return valid(() -> new NodeRecord(id, address, raft, api, dns));
  }

  public static void writeSettings(ByteSink out, ClusterSettings s) {
    out.string(s.vip4Pool().cidr()).optString(s.vip6Pool() == null ? null : s.vip6Pool().cidr());
    out.varLong(s.holdDownMillis());
  }

  public static ClusterSettings readSettings(ByteSource in) throws CodecException {
    String v4 = in.string("vip4 pool", 64);
    String v6 = in.optString("vip6 pool", 64);
    long hold = in.varLong("hold-down");
    return valid(
        () ->
            new ClusterSettings(
                VipPool.parse("vip-cidr", v4),
                v6 == null ? null : VipPool.parse("vip6-cidr", v6),
                hold));
  }

  public static void writeHold(ByteSink out, VipHold h) {
    out.address(h.vip());
    writeKey(out, h.previousOwner());
    out.fixedLong(h.expiresAtMillis());
  }

  public static VipHold readHold(ByteSource in) throws CodecException {
    InetAddress vip = in.address("hold vip");
    ServiceKey owner = readKey(in);
    long expires = in.fixedLong("hold expiry");
    if (vip == null) {
      throw new CodecException("hold vip: missing");
    }
    return new VipHold(vip, owner, expires);
  }

  /**
   * A lease, as stored and in outcomes: u8 version (1), fixed64 id, varint ttl ms, fixed64
   * granted-at log time.
   */
  public static void writeLease(ByteSink out, Lease l) {
    out.u8(LEASE_V1).fixedLong(l.id()).varLong(l.ttlMillis()).fixedLong(l.grantedAtMillis());
  }

  public static Lease readLease(ByteSource in) throws CodecException {
    int v = in.u8("lease format");
    if (v != LEASE_V1) {
      throw new CodecException("lease: unknown format " + v);
    }
    long id = in.fixedLong("lease id");
    long ttl = in.varLong("lease ttl");
    long granted = in.fixedLong("lease granted at");
    return valid(() -> new Lease(id, ttl, granted));
  }

  /**
   * Builds a value from decoded fields, turning a validation failure into a {@link CodecException}.
   */
  static <T> T valid(ValueBuilder<T> b) throws CodecException {
    try {
      return b.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException("invalid value: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  interface ValueBuilder<T> {
    T build();
  }
}
