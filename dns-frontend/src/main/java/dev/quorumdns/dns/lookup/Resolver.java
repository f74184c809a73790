package dev.quorumdns.dns.lookup;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.HINFORecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Answers one question from a {@link RegistryView}, without touching the wire (design.md §3). Thread-safe and
 * lock-free; called on DNS event-loop threads.
 */
public final class Resolver {
  static final String NODE_LABEL = "node";
  static final int SOA_REFRESH = 60;
  static final int SOA_RETRY = 10;
  static final int SOA_EXPIRE = 86400;

  private final DnsConfig config;
  private final RegistryView view;
  private final Name hostmaster;
  private final Name mname;
  private final Name nodeZone;
  private volatile ZonesFor zones;

  private record ZonesFor(ClusterSettings settings, Zones zones) {}

  public Resolver(DnsConfig config, RegistryView view) {
    this.config = config;
    this.view = view;
    Name forward = Zones.absolute(config.domain());
    this.hostmaster = child("hostmaster", forward);
    this.nodeZone = child(NODE_LABEL, forward);
    this.mname = child(config.nodeId(), nodeZone);
    this.zones = new ZonesFor(null, Zones.of(config.domain(), null));
  }

  static Name child(String label, Name parent) {
    try {
      return Name.fromString(label, parent);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(label, e);
    }
  }

  /** The zones as of the current cluster settings. */
  public Zones zones() {
    ClusterSettings s = view.settings().orElse(null);
    ZonesFor z = zones;
    if (z.settings() != s) {
      z = new ZonesFor(s, Zones.of(config.domain(), s));
      zones = z;
    }
    return z.zones();
  }

  public RegistryView view() {
    return view;
  }

  public DnsConfig config() {
    return config;
  }

  /** Answers {@code qname} (lower case, absolute) and {@code qtype}. */
  public Lookup lookup(Name qname, int qtype) {
    Zones z = zones();
    Name apex = z.zoneOf(qname);
    if (apex == null) {
      return Lookup.of(config.upstreams().isEmpty() ? Lookup.Result.REFUSED : Lookup.Result.FORWARD, false,
          config.upstreams().isEmpty() ? v -> true : null);
    }
    if (!view.isLoaded()) {
      return Lookup.of(Lookup.Result.SERVER_FAILURE, false, null);
    }
    long revision = view.revision();
    Lookup.Freshness sameRevision = v -> v.revision() == revision;
    Answer a = new Answer(apex, qtype, revision, sameRevision);
    if (apex.equals(z.forward())) {
      forward(qname, qtype, a);
    } else {
      reverse(qname, qtype, a);
    }
    return a.build();
  }

  private void forward(Name qname, int qtype, Answer a) {
    int depth = qname.labels() - a.apex.labels();
    if (depth == 0) {
      apex(qtype, a);
      return;
    }
    String last = qname.getLabelString(depth - 1);
    if (last.equals(NODE_LABEL)) {
      nodeName(qname, qtype, depth, a);
      return;
    }
    if (depth == 1) {
      if (view.hasNamespace(last)) {
        a.noData();
      } else {
        a.nameError();
      }
      return;
    }
    String name = qname.getLabelString(depth - 2);
    Service svc = DnsLabel.isValidLowerCase(last) && DnsLabel.isValidLowerCase(name)
        ? view.get(new ServiceKey(last, name)) : null;
    if (svc == null) {
      a.nameError();
      return;
    }
    Name owner = new Name(qname, depth - 2);
    if (depth == 2) {
      a.freshness = v -> v.get(svc.key()) == svc;
      switch (qtype) {
        case Type.A -> a.answer(address(owner, svc.vip4()));
        case Type.AAAA -> {
          if (svc.vip6() != null) {
            a.answer(address(owner, svc.vip6()));
          }
        }
        case Type.ANY -> a.answer(rfc8482(owner));
        default -> { }
      }
      a.finishNoDataIfEmpty();
      return;
    }
    String proto = qname.getLabelString(depth - 3);
    if (depth == 3) {
      if (hasPort(svc, null, proto)) {
        a.noData();
      } else {
        a.nameError();
      }
      return;
    }
    String port = qname.getLabelString(depth - 4);
    if (depth > 4 || !hasPort(svc, port, proto)) {
      a.nameError();
      return;
    }
    a.freshness = v -> v.get(svc.key()) == svc;
    if (qtype == Type.SRV || qtype == Type.ANY) {
      if (qtype == Type.ANY) {
        a.answer(rfc8482(qname));
      } else {
        for (ServicePort p : svc.spec().ports()) {
          if (matches(p, port, proto)) {
            a.answer(new SRVRecord(qname, DClass.IN, config.ttlSeconds(), 0, 100, p.port(), owner));
          }
        }
        a.additional(address(owner, svc.vip4()));
        if (svc.vip6() != null) {
          a.additional(address(owner, svc.vip6()));
        }
      }
    }
    a.finishNoDataIfEmpty();
  }

  private static boolean matches(ServicePort p, String port, String proto) {
    return p.name() != null && ("_" + p.protocol().label()).equals(proto)
        && (port == null || ("_" + p.name()).equals(port));
  }

  private static boolean hasPort(Service svc, String port, String proto) {
    for (ServicePort p : svc.spec().ports()) {
      if (matches(p, port, proto)) {
        return true;
      }
    }
    return false;
  }

  private void nodeName(Name qname, int qtype, int depth, Answer a) {
    if (depth == 1) {
      if (view.nodes().isEmpty()) {
        a.nameError();
      } else {
        a.noData();
      }
      return;
    }
    NodeRecord node = depth == 2 && DnsLabel.isValidLowerCase(qname.getLabelString(0))
        ? view.node(qname.getLabelString(0)) : null;
    if (node == null) {
      a.nameError();
      return;
    }
    boolean v4 = node.address() instanceof Inet4Address;
    if (qtype == Type.ANY) {
      a.answer(rfc8482(qname));
    } else if ((qtype == Type.A && v4) || (qtype == Type.AAAA && !v4)) {
      a.answer(address(qname, node.address()));
    }
    a.finishNoDataIfEmpty();
  }

  private void apex(int qtype, Answer a) {
    switch (qtype) {
      case Type.SOA -> a.answer(soa(a.apex, a.revision, config.ttlSeconds()));
      case Type.NS -> {
        for (NodeRecord n : nameServers()) {
          Name host = child(n.id(), nodeZone);
          a.answer(new NSRecord(a.apex, DClass.IN, config.ttlSeconds(), host));
          a.additional(address(host, n.address()));
        }
      }
      case Type.ANY -> a.answer(rfc8482(a.apex));
      default -> { }
    }
    a.finishNoDataIfEmpty();
  }

  /** Voting members that have published their address, by id. */
  List<NodeRecord> nameServers() {
    Set<String> voters = new TreeSet<>(view.voters());
    List<NodeRecord> out = new ArrayList<>();
    for (String id : voters) {
      NodeRecord n = view.node(id);
      if (n != null) {
        out.add(n);
      }
    }
    return out;
  }

  private void reverse(Name qname, int qtype, Answer a) {
    if (qname.equals(a.apex)) {
      apex(qtype, a);
      return;
    }
    int full = qname.subdomain(Name.fromConstantString("ip6.arpa.")) ? 34 : 6;
    if (qname.labels() < full + 1) {
      a.noData(); // An empty non-terminal inside the pool's zone.
      return;
    }
    InetAddress vip = qname.labels() == full + 1 ? Zones.addressOf(qname) : null;
    Service svc = vip == null ? null : view.byVip(vip);
    if (svc == null) {
      a.nameError();
      return;
    }
    a.freshness = v -> v.byVip(vip) == svc;
    if (qtype == Type.PTR) {
      a.answer(new PTRRecord(qname, DClass.IN, config.ttlSeconds(),
          Zones.absolute(svc.key().fqdn(config.domain()))));
    } else if (qtype == Type.ANY) {
      a.answer(rfc8482(qname));
    }
    a.finishNoDataIfEmpty();
  }

  Record address(Name owner, InetAddress addr) {
    return addr instanceof Inet4Address
        ? new ARecord(owner, DClass.IN, config.ttlSeconds(), addr)
        : new AAAARecord(owner, DClass.IN, config.ttlSeconds(), addr);
  }

  /** RFC 8482 §4.2: a synthesized HINFO answers ANY. */
  private Record rfc8482(Name owner) {
    return new HINFORecord(owner, DClass.IN, config.ttlSeconds(), "RFC8482", "");
  }

  /** The zone's SOA, serial = registry revision (RFC 1982 wrap-around), with the given TTL. */
  public SOARecord soa(Name apex, long revision, long ttl) {
    return new SOARecord(apex, DClass.IN, ttl, mname, hostmaster, revision & 0xffffffffL, SOA_REFRESH, SOA_RETRY,
        SOA_EXPIRE, config.negativeTtlSeconds());
  }

  /** Accumulates one answer. Single-threaded, per lookup. */
  private final class Answer {
    final Name apex;
    final int qtype;
    final long revision;
    final List<Record> answer = new ArrayList<>(2);
    final List<Record> additional = new ArrayList<>(2);
    Lookup.Freshness freshness;
    Lookup.Result result = Lookup.Result.SUCCESS;

    Answer(Name apex, int qtype, long revision, Lookup.Freshness sameRevision) {
      this.apex = apex;
      this.qtype = qtype;
      this.revision = revision;
      this.freshness = sameRevision;
    }

    void answer(Record r) {
      answer.add(r);
    }

    void additional(Record r) {
      additional.add(r);
    }

    void noData() {
      result = Lookup.Result.NO_DATA;
      freshness = v -> v.revision() == revision;
    }

    void nameError() {
      result = Lookup.Result.NAME_ERROR;
      freshness = v -> v.revision() == revision;
    }

    void finishNoDataIfEmpty() {
      if (answer.isEmpty()) {
        noData();
      }
    }

    Lookup build() {
      List<Record> authority = result == Lookup.Result.SUCCESS ? List.of()
          : List.of(soa(apex, revision, Math.min(config.ttlSeconds(), config.negativeTtlSeconds())));
      return new Lookup(result, true, answer, authority, additional, freshness);
    }
  }
}
