package dev.quorumdns.dns;

import dev.quorumdns.dns.lookup.Lookup;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServicePort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Every record a node serves (like Mesos-DNS {@code /v1/enumerate}), produced by asking the same {@link
 * Resolver} that answers queries, so the list cannot disagree with DNS. Stateless.
 */
public final class ZoneRecords {
  private ZoneRecords() {}

  public static List<Record> enumerate(RegistryView view, DnsConfig config) {
    Resolver r = new Resolver(config, view);
    List<Record> out = new ArrayList<>();
    if (!view.isLoaded()) {
      return out;
    }
    List<Name> apexes = new ArrayList<>();
    apexes.add(r.zones().forward());
    apexes.addAll(r.zones().reverseZones());
    for (Name apex : apexes) {
      add(out, r, apex, Type.SOA);
      add(out, r, apex, Type.NS);
    }
    Name nodeZone = child("node", r.zones().forward());
    for (NodeRecord n : view.nodes()) {
      Name host = child(n.id(), nodeZone);
      add(out, r, host, Type.A);
      add(out, r, host, Type.AAAA);
    }
    for (Service s : view.services()) {
      Name owner = child(s.key().name() + "." + s.key().namespace(), r.zones().forward());
      add(out, r, owner, Type.A);
      add(out, r, owner, Type.AAAA);
      for (ServicePort p : s.spec().ports()) {
        if (p.name() != null) {
          add(out, r, child("_" + p.name() + "._" + p.protocol().label(), owner), Type.SRV);
        }
      }
      add(out, r, reverse(s.vip4()), Type.PTR);
      if (s.vip6() != null) {
        add(out, r, reverse(s.vip6()), Type.PTR);
      }
    }
    return out;
  }

  private static void add(List<Record> out, Resolver r, Name name, int type) {
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

  static Name reverse(InetAddress a) {
    try {
      return Name.fromString(org.xbill.DNS.ReverseMap.fromAddress(a).toString());
    } catch (TextParseException e) {
      throw new IllegalArgumentException(IpAddresses.format(a), e);
    }
  }
}
