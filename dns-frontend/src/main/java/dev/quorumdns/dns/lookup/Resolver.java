package dev.quorumdns.dns.lookup;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
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
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Answers one question from a {@link RegistryView} without touching the wire
 * (docs/architecture.md): the lookup half of CoreDNS' lookup/handler split. Thread-safe and
 * lock-free; called on DNS event-loop threads and by {@code ZoneRecords}.
 *
 * <p>Every answer carries a {@link Validity} computed from what was read <em>before</em> the
 * registry was consulted (the revision is read first), so a cached copy can only be invalidated too
 * early, never too late.
 */
public final class Resolver {
  private final DnsConfig config;
  private final RegistryView view;
  private final Records records;
  private volatile ZonesFor zones;

  private record ZonesFor(ClusterSettings settings, Zones zones) {}

  public Resolver(DnsConfig config, RegistryView view) {
    this.config = config;
    this.view = view;
    this.records = new Records(config);
    this.zones = new ZonesFor(null, Zones.of(config.domain(), null));
  }

  public DnsConfig config() {
    return config;
  }

  public RegistryView view() {
    return view;
  }

  /**
   * The zones as of the registry's cluster settings (the reverse zones appear once the cluster has
   * pools).
   */
  public Zones zones() {
    ClusterSettings s = view.settings().orElse(null);
    ZonesFor z = zones;
    if (z.settings() != s) {
      z = new ZonesFor(s, Zones.of(config.domain(), s));
      zones = z;
    }
    return z.zones();
  }

  /**
   * Answers {@code qname} and {@code qtype}.
   *
   * @param qname absolute and lower case ({@link Name#canonicalize()})
   */
  public Lookup lookup(Name qname, int qtype) {
    long revision = view.revision();
    if (!view.isLoaded()) {
      // Until the replica is loaded we cannot even tell which reverse zones are ours.
      boolean maybeOurs = qname.subdomain(records.forward()) || ReverseNames.inReverseTree(qname);
      return Lookup.empty(maybeOurs ? Lookup.Result.SERVER_FAILURE : Lookup.Result.REFUSED, null);
    }
    Name apex = zones().zoneOf(qname);
    if (apex == null) {
      return Lookup.empty(Lookup.Result.REFUSED, Validity.revision(revision));
    }
    Answer a = new Answer(apex, revision);
    if (apex.equals(records.forward())) {
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
    if (last.equals(Records.NODE_LABEL)) {
      nodeName(qname, qtype, depth, a);
      return;
    }
    if (depth == 1) {
      a.emptyOrMissing(DnsLabel.isValidLowerCase(last) && view.hasNamespace(last));
      return;
    }
    String name = qname.getLabelString(depth - 2);
    Service svc =
        DnsLabel.isValidLowerCase(last) && DnsLabel.isValidLowerCase(name)
            ? view.get(new ServiceKey(last, name))
            : null;
    if (svc == null || depth > 4) {
      a.nameError();
      return;
    }
    Name owner = new Name(qname, depth - 2);
    if (depth == 2) {
      serviceName(owner, qtype, svc, a);
      return;
    }
    if (depth == 3 && svc.spec().headless() && endpointName(qname, qtype, svc, a)) {
      return;
    }
    String proto = qname.getLabelString(depth - 3);
    String port = depth == 4 ? qname.getLabelString(0) : null;
    ServicePort p = namedPort(svc, port, proto);
    if (p == null) {
      a.nameError();
    } else if (depth == 3) {
      a.noData(); // _<proto>.<name>.<ns>: an empty non-terminal above the SRV names.
    } else if (qtype == Type.SRV && svc.spec().headless()) {
      headlessSrv(qname, p, owner, svc, a);
    } else if (qtype == Type.SRV) {
      a.valid = Validity.service(svc.key(), svc.revision());
      a.answer.add(records.srv(qname, p.port(), owner));
      addAddresses(a.additional, owner, svc);
    } else if (qtype == Type.ANY) {
      a.valid = Validity.service(svc.key(), svc.revision());
      a.answer.add(records.anyAnswer(qname));
    } else {
      a.noData();
    }
  }

  private void serviceName(Name owner, int qtype, Service svc, Answer a) {
    if (svc.spec().headless()) {
      headlessName(owner, qtype, svc, a);
      return;
    }
    switch (qtype) {
      case Type.A -> a.answer.add(records.address(owner, svc.vip4()));
      case Type.AAAA -> {
        if (svc.vip6() != null) {
          a.answer.add(records.address(owner, svc.vip6()));
        }
      }
      case Type.ANY -> a.answer.add(records.anyAnswer(owner));
      default -> {}
    }
    if (a.answer.isEmpty()) {
      a.noData();
    } else {
      a.valid = Validity.service(svc.key(), svc.revision());
    }
  }

  /**
   * A headless service's name: the addresses of its passing and warning endpoints; NODATA when it
   * has none.
   */
  private void headlessName(Name owner, int qtype, Service svc, Answer a) {
    if (qtype == Type.A || qtype == Type.AAAA) {
      for (InetAddress addr : EndpointNames.serving(svc, qtype == Type.A)) {
        a.answer.add(records.address(owner, addr));
      }
    } else if (qtype == Type.ANY) {
      a.answer.add(records.anyAnswer(owner));
    }
    if (a.answer.isEmpty()) {
      a.noData();
    } else {
      a.valid = Validity.service(svc.key(), svc.revision());
    }
  }

  /**
   * {@code <address-label>.<name>.<ns>}: the address of one endpoint of a headless service,
   * whatever its health (selection by health happens at the service name and its SRV names). False
   * if the label names no endpoint.
   */
  private boolean endpointName(Name qname, int qtype, Service svc, Answer a) {
    InetAddress addr = EndpointNames.address(qname.getLabelString(0));
    if (addr == null || !EndpointNames.has(svc, addr)) {
      return false;
    }
    boolean v4 = addr instanceof Inet4Address;
    if (qtype == Type.ANY) {
      a.answer.add(records.anyAnswer(qname));
    } else if ((qtype == Type.A && v4) || (qtype == Type.AAAA && !v4)) {
      a.answer.add(records.address(qname, addr));
    } else {
      a.noData();
      return true;
    }
    a.valid = Validity.service(svc.key(), svc.revision());
    return true;
  }

  /**
   * A named port of a headless service: one SRV record per passing or warning endpoint (weight: the
   * endpoint's, else {@value Records#SRV_WEIGHT}; port: the endpoint's, else the named port's),
   * targets {@code <address-label>.<name>.<ns>} with their addresses as additional data, or the
   * host name of an endpoint registered by name.
   */
  private void headlessSrv(Name qname, ServicePort p, Name owner, Service svc, Answer a) {
    for (Endpoint e : svc.spec().endpoints()) {
      if (!e.health().serving()) {
        continue;
      }
      int weight = e.weight() == null ? Records.SRV_WEIGHT : e.weight();
      int port = e.port() == null ? p.port() : e.port();
      if (IpAddresses.looksLiteral(e.address())) {
        InetAddress addr = IpAddresses.parse("address", e.address());
        Name target = Records.child(EndpointNames.label(addr), owner);
        a.answer.add(records.srv(qname, weight, port, target));
        Record glue = records.address(target, addr);
        if (!a.additional.contains(glue)) {
          a.additional.add(glue);
        }
      } else {
        a.answer.add(records.srv(qname, weight, port, Records.child(e.address() + ".", Name.root)));
      }
    }
    if (a.answer.isEmpty()) {
      a.noData();
    } else {
      a.valid = Validity.service(svc.key(), svc.revision());
    }
  }

  private void addAddresses(List<Record> out, Name owner, Service svc) {
    out.add(records.address(owner, svc.vip4()));
    if (svc.vip6() != null) {
      out.add(records.address(owner, svc.vip6()));
    }
  }

  /**
   * The named port {@code _<port>._<proto>} of {@code svc}, or with {@code port} null any named
   * port of proto.
   */
  private static ServicePort namedPort(Service svc, String port, String proto) {
    for (ServicePort p : svc.spec().ports()) {
      if (p.name() != null
          && proto.length() == p.protocol().label().length() + 1
          && proto.charAt(0) == '_'
          && proto.endsWith(p.protocol().label())
          && (port == null
              || (port.length() == p.name().length() + 1
                  && port.charAt(0) == '_'
                  && port.endsWith(p.name())))) {
        return p;
      }
    }
    return null;
  }

  private void nodeName(Name qname, int qtype, int depth, Answer a) {
    if (depth == 1) {
      a.emptyOrMissing(
          !view.nodes().isEmpty()); // node.<domain>: the empty non-terminal above the NS targets.
      return;
    }
    String id = qname.getLabelString(0);
    NodeRecord node = depth == 2 && DnsLabel.isValidLowerCase(id) ? view.node(id) : null;
    if (node == null) {
      a.nameError();
      return;
    }
    boolean v4 = node.address() instanceof Inet4Address;
    if (qtype == Type.ANY) {
      a.answer.add(records.anyAnswer(qname));
    } else if ((qtype == Type.A && v4) || (qtype == Type.AAAA && !v4)) {
      a.answer.add(records.address(qname, node.address()));
    } else {
      a.noData();
    }
  }

  private void apex(int qtype, Answer a) {
    switch (qtype) {
      case Type.SOA -> a.answer.add(records.soa(a.apex, a.revision));
      case Type.NS -> {
        Set<String> voters = view.voters();
        for (NodeRecord n : nameServers(voters)) {
          Name host = records.nodeName(n.id());
          a.answer.add(records.ns(a.apex, host));
          a.additional.add(records.address(host, n.address()));
        }
        if (a.answer.isEmpty()) {
          a.noData();
        }
        a.valid = Validity.revisionAndVoters(a.revision, voters);
        return;
      }
      case Type.ANY -> a.answer.add(records.anyAnswer(a.apex));
      default -> {}
    }
    if (a.answer.isEmpty()) {
      a.noData();
    }
  }

  /** The voting members that have published their address, by id. */
  private List<NodeRecord> nameServers(Set<String> voters) {
    List<NodeRecord> out = new ArrayList<>();
    for (String id : new TreeSet<>(voters)) {
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
    if (!ReverseNames.wellFormed(qname, a.apex)) {
      a.nameError();
      return;
    }
    if (qname.labels() - 2 < ReverseNames.fullDepth(qname)) {
      // An intermediate label inside a pool: treated as an empty non-terminal whether or not a VIP
      // is below it
      // now, so no resolver caches an NXDOMAIN that would hide a VIP allocated later (RFC 8020).
      a.noData();
      return;
    }
    InetAddress vip = ReverseNames.address(qname);
    Service svc = vip == null ? null : view.byVip(vip);
    if (svc == null) {
      a.nameError();
      return;
    }
    if (qtype == Type.PTR) {
      a.answer.add(
          records.ptr(
              qname,
              Records.child(svc.key().name() + "." + svc.key().namespace(), records.forward())));
    } else if (qtype == Type.ANY) {
      a.answer.add(records.anyAnswer(qname));
    } else {
      a.noData();
      return;
    }
    a.valid = Validity.vip(vip, svc.revision());
  }

  /** Accumulates one answer. Confined to the calling thread. */
  private final class Answer {
    final Name apex;
    final long revision;
    final List<Record> answer = new ArrayList<>(2);
    final List<Record> additional = new ArrayList<>(2);
    Lookup.Result result = Lookup.Result.SUCCESS;
    Validity valid;

    Answer(Name apex, long revision) {
      this.apex = apex;
      this.revision = revision;
      this.valid = Validity.revision(revision);
    }

    void noData() {
      answer.clear();
      additional.clear();
      result = Lookup.Result.NO_DATA;
      valid = Validity.revision(revision);
    }

    void nameError() {
      noData();
      result = Lookup.Result.NAME_ERROR;
    }

    void emptyOrMissing(boolean exists) {
      if (exists) {
        noData();
      } else {
        nameError();
      }
    }

    Lookup build() {
      List<Record> authority =
          result == Lookup.Result.SUCCESS
              ? List.of()
              : List.of(records.negativeSoa(apex, revision));
      return new Lookup(result, true, answer, authority, additional, valid);
    }
  }
}
