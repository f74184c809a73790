package dev.quorumdns.dns.lookup;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.registry.Cursor;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.ServiceChange;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The contents of our zones at one registry snapshot, for zone transfers: the lookup half of a
 * transfer, with no wire. Records are the ones queries get (same names, TTLs and data), except that
 * the SOA names no particular node ({@link #soa}) and the NS set is every node with a published
 * record at that revision (voters and listeners alike, all of which answer from their replica), so
 * the zone is a function of the revision alone: the same serial has the same content on every node.
 * Immutable and thread-safe; the cursors it returns are confined to their caller.
 */
public final class ZoneContents {
  private final DnsConfig config;
  private final Records records;

  public ZoneContents(DnsConfig config) {
    this.config = config;
    this.records = new Records(config);
  }

  /** The zones as of the snapshot's cluster settings. */
  public Zones zones(RegistrySnapshot s) {
    return Zones.of(config.domain(), s.settings().orElse(null));
  }

  /** The zone's SOA at {@code revision}, as transfers and NOTIFY carry it. */
  public SOARecord soa(Name apex, long revision) {
    return records.transferSoa(apex, revision);
  }

  /**
   * Every record of the zone at {@code apex} but its SOA, read from the snapshot as it is iterated:
   * the NS set, then (forward zone) node addresses and each service's A, AAAA and SRV records in
   * store order, or (reverse zone) the PTR of each VIP in the zone, in address order.
   */
  public Cursor<Record> records(Name apex, Zones zones, RegistrySnapshot s) {
    List<Record> head = new ArrayList<>();
    for (NodeRecord n : s.nodes()) {
      head.add(records.ns(apex, records.nodeName(n.id())));
    }
    if (apex.equals(zones.forward())) {
      for (NodeRecord n : s.nodes()) {
        head.add(records.address(records.nodeName(n.id()), n.address()));
      }
      return new Expanding<>(head, s.services(), (svc, out) -> forward(svc, out));
    }
    InetAddress[] block = ReverseNames.block(apex);
    if (block == null) {
      throw new IllegalArgumentException(apex + " is not a reverse zone");
    }
    return new Expanding<>(
        head, s.vips(block[0], block[1]), (v, out) -> out.add(ptr(v.vip(), v.owner())));
  }

  /**
   * The difference between two versions of a zone, condensed to one change per record. Immutable.
   */
  public record Diff(List<Record> deleted, List<Record> added) {
    public Diff {
      deleted = List.copyOf(deleted);
      added = List.copyOf(added);
    }
  }

  /**
   * How the zone at {@code apex} changed from revision {@code from} to the snapshot's, condensed (a
   * name changed many times counts once, by what it held at {@code from} and holds now), or null if
   * the change log cannot tell: {@code from} is older than what it keeps, or node records or
   * settings (which it does not record) changed since, or more than {@code maxChanges} service
   * changes happened since.
   */
  public Diff diff(Name apex, Zones zones, RegistrySnapshot s, long from, int maxChanges) {
    ChangeLogState log = s.changeLog();
    if (from > s.revision()
        || from < log.oldestRevision()
        || from < log.lastNodeOrSettingsChange()) {
      return null;
    }
    Map<ServiceKey, Service[]> net = new TreeMap<>();
    int seen = 0;
    try (Cursor<ServiceChange> changes = s.changesAfter(from)) {
      while (changes.hasNext()) {
        ServiceChange c = changes.next();
        if (++seen > maxChanges) {
          return null;
        }
        net.computeIfAbsent(c.key(), k -> new Service[] {c.previous(), null})[1] = c.current();
      }
    }
    List<Record> deleted = new ArrayList<>();
    List<Record> added = new ArrayList<>();
    for (Service[] change : net.values()) {
      Set<Record> before = recordsOf(change[0], apex, zones);
      Set<Record> after = recordsOf(change[1], apex, zones);
      for (Record r : before) {
        if (!after.contains(r)) {
          deleted.add(r);
        }
      }
      for (Record r : after) {
        if (!before.contains(r)) {
          added.add(r);
        }
      }
    }
    return new Diff(deleted, added);
  }

  /** The records one service puts into the zone at {@code apex} (none for null). */
  private Set<Record> recordsOf(Service svc, Name apex, Zones zones) {
    Set<Record> out = new LinkedHashSet<>();
    if (svc == null) {
      return out;
    }
    if (apex.equals(zones.forward())) {
      List<Record> list = new ArrayList<>();
      forward(svc, list);
      out.addAll(list);
      return out;
    }
    for (InetAddress vip : new InetAddress[] {svc.vip4(), svc.vip6()}) {
      if (vip != null && apex.equals(zones.zoneOf(ReverseNames.of(vip)))) {
        out.add(ptr(vip, svc.key()));
      }
    }
    return out;
  }

  /**
   * A service's records in the forward zone. A name no query could ask (a port name of 63
   * characters makes a 64-character label {@code _<name>}; a long domain can push a name past 255
   * octets) is left out, as queries cannot reach it either.
   */
  private void forward(Service svc, List<Record> out) {
    Name owner = child(svc.key().name() + "." + svc.key().namespace(), records.forward());
    if (owner == null) {
      return;
    }
    if (svc.spec().headless()) {
      headless(svc, owner, out);
      return;
    }
    out.add(records.address(owner, svc.vip4()));
    if (svc.vip6() != null) {
      out.add(records.address(owner, svc.vip6()));
    }
    for (ServicePort p : svc.spec().ports()) {
      Name srv =
          p.name() == null ? null : child("_" + p.name() + "._" + p.protocol().label(), owner);
      if (srv != null) {
        out.add(records.srv(srv, p.port(), owner));
      }
    }
  }

  /**
   * A headless service's records, as the resolver answers them: the name has the addresses of its
   * serving endpoints (no VIP), every endpoint with an IP address has its own name whatever its
   * health, and each named port has one SRV record per serving endpoint.
   */
  private void headless(Service svc, Name owner, List<Record> out) {
    for (boolean v4 : new boolean[] {true, false}) {
      for (InetAddress addr : EndpointNames.serving(svc, v4)) {
        out.add(records.address(owner, addr));
      }
    }
    Set<InetAddress> named = new LinkedHashSet<>();
    for (Endpoint e : svc.spec().endpoints()) {
      if (IpAddresses.looksLiteral(e.address())) {
        InetAddress addr = IpAddresses.parse("address", e.address());
        if (named.add(addr)) {
          out.add(records.address(Records.child(EndpointNames.label(addr), owner), addr));
        }
      }
    }
    for (ServicePort p : svc.spec().ports()) {
      Name srv =
          p.name() == null ? null : child("_" + p.name() + "._" + p.protocol().label(), owner);
      if (srv == null) {
        continue;
      }
      for (Endpoint e : svc.spec().endpoints()) {
        if (!e.health().serving()) {
          continue;
        }
        int weight = e.weight() == null ? Records.SRV_WEIGHT : e.weight();
        int port = e.port() == null ? p.port() : e.port();
        Name target =
            IpAddresses.looksLiteral(e.address())
                ? Records.child(
                    EndpointNames.label(IpAddresses.parse("address", e.address())), owner)
                : child(e.address() + ".", Name.root);
        if (target != null) {
          out.add(records.srv(srv, weight, port, target));
        }
      }
    }
  }

  private static Name child(String relative, Name parent) {
    try {
      return Records.child(relative, parent);
    } catch (IllegalArgumentException notADnsName) {
      return null;
    }
  }

  private Record ptr(InetAddress vip, ServiceKey key) {
    return records.ptr(ReverseNames.of(vip), owner(key));
  }

  private Name owner(ServiceKey key) {
    return Records.child(key.name() + "." + key.namespace(), records.forward());
  }

  @FunctionalInterface
  private interface Expander<T> {
    void expand(T value, List<Record> out);
  }

  /** Fixed records first, then the records each value of a store cursor expands to. */
  private static final class Expanding<T> implements Cursor<Record> {
    private final ArrayDeque<Record> ready;
    private final Cursor<T> source;
    private final Expander<T> expander;
    private final List<Record> scratch = new ArrayList<>(4);

    Expanding(List<Record> head, Cursor<T> source, Expander<T> expander) {
      this.ready = new ArrayDeque<>(head);
      this.source = source;
      this.expander = expander;
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && source.hasNext()) {
        scratch.clear();
        expander.expand(source.next(), scratch);
        ready.addAll(scratch);
      }
      return !ready.isEmpty();
    }

    @Override
    public Record next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    @Override
    public void close() {
      source.close();
    }
  }
}
