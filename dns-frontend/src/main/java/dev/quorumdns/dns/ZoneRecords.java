package dev.quorumdns.dns;

import dev.quorumdns.dns.lookup.EndpointNames;
import dev.quorumdns.dns.lookup.Lookup;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.lookup.ReverseNames;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Every record this node serves (like Mesos-DNS {@code /v1/enumerate}), for {@code GET
 * /v1/records}: each zone's SOA and NS, the glue and node addresses, every service's A, AAAA and
 * SRV (and a headless service's endpoint names), and the PTRs of the reverse zones. Produced by
 * asking the same {@link Resolver} that answers queries, so the list cannot disagree with DNS.
 * Stateless; reads the view like a query does (not one atomic snapshot). Not for the DNS hot path.
 */
public final class ZoneRecords {
  private ZoneRecords() {}

  /** The records, zone by zone; empty while the view is not loaded. */
  public static List<Record> enumerate(RegistryView view, DnsConfig config) {
    if (!view.isLoaded()) {
      return List.of();
    }
    Resolver r = new Resolver(config, view);
    Set<Record> out = new LinkedHashSet<>();
    Name forward = r.zones().forward();
    List<Name> apexes = new ArrayList<>();
    apexes.add(forward);
    apexes.addAll(r.zones().reverseZones());
    for (Name apex : apexes) {
      add(out, r, apex, Type.SOA);
      add(out, r, apex, Type.NS);
    }
    for (NodeRecord n : view.nodes()) {
      Name host = child(n.id() + ".node", forward);
      add(out, r, host, Type.A);
      add(out, r, host, Type.AAAA);
    }
    for (Service s : view.services()) {
      Name owner = child(s.key().name() + "." + s.key().namespace(), forward);
      add(out, r, owner, Type.A);
      add(out, r, owner, Type.AAAA);
      for (ServicePort p : s.spec().ports()) {
        if (p.name() != null) {
          add(out, r, child("_" + p.name() + "._" + p.protocol().label(), owner), Type.SRV);
        }
      }
      if (s.spec().headless()) {
        for (Endpoint e : s.spec().endpoints()) {
          if (IpAddresses.looksLiteral(e.address())) {
            Name name =
                child(EndpointNames.label(IpAddresses.parse("address", e.address())), owner);
            add(out, r, name, Type.A);
            add(out, r, name, Type.AAAA);
          }
        }
      }
      if (s.vip4() != null) {
        add(out, r, ReverseNames.of(s.vip4()), Type.PTR);
      }
      if (s.vip6() != null) {
        add(out, r, ReverseNames.of(s.vip6()), Type.PTR);
      }
    }
    return List.copyOf(out);
  }

  private static void add(Set<Record> out, Resolver r, Name name, int type) {
    Lookup l = r.lookup(name, type);
    if (l.result() == Lookup.Result.SUCCESS) {
      out.addAll(l.answer());
    }
  }

  private static Name child(String relative, Name parent) {
    try {
      return Name.fromString(relative, parent);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(relative, e);
    }
  }
}
