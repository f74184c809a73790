package dev.quorumdns.node.membership;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.registry.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Turns {@code retry-join} entries into the HTTP API addresses to probe: {@code IP[:PORT]} as it
 * is, a DNS name's A/AAAA records (each at PORT, default this node's API port), and {@code
 * _service._proto.name}'s SRV records (each target at its port), as a Kubernetes headless Service
 * publishes them. Names are looked up again every round, with the system's search domains.
 * Stateless.
 */
final class RetryJoinTargets {
  private RetryJoinTargets() {}

  /**
   * What a round found.
   *
   * @param complete whether every entry was resolved (a name that could not be looked up makes a
   *     round incomplete, and an incomplete round never locks)
   * @param problems what could not be resolved, for people
   */
  record Resolved(List<HostPort> targets, boolean complete, List<String> problems) {}

  static Resolved resolve(List<String> entries, int defaultPort) {
    Set<HostPort> targets = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (String entry : entries) {
      String e = entry.trim();
      if (e.startsWith("_")) {
        srv(e, targets, problems);
        continue;
      }
      HostPort hp = parse(e, defaultPort);
      if (IpAddresses.looksLiteral(hp.host())) {
        targets.add(hp);
        continue;
      }
      try {
        for (InetAddress a : InetAddress.getAllByName(hp.host())) {
          targets.add(new HostPort(a.getHostAddress(), hp.port()));
        }
      } catch (UnknownHostException ex) {
        problems.add(e + ": no address (" + ex.getMessage() + ")");
      }
    }
    return new Resolved(List.copyOf(targets), problems.isEmpty(), problems);
  }

  /** {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port} or a bare IPv6 literal. */
  static HostPort parse(String e, int defaultPort) {
    long colons = e.chars().filter(c -> c == ':').count();
    if (e.startsWith("[")) {
      return e.endsWith("]")
          ? new HostPort(e.substring(1, e.length() - 1), defaultPort)
          : HostPort.parse("retry-join", e);
    }
    if (colons == 1) {
      return HostPort.parse("retry-join", e);
    }
    return new HostPort(e, defaultPort);
  }

  private static void srv(String name, Set<HostPort> targets, List<String> problems) {
    Lookup lookup;
    try {
      lookup = new Lookup(name, Type.SRV);
    } catch (TextParseException e) {
      problems.add(name + ": not a DNS name (" + e.getMessage() + ")");
      return;
    }
    lookup.setCache(new Cache(DClass.IN));
    Record[] records = lookup.run();
    switch (lookup.getResult()) {
      case Lookup.SUCCESSFUL -> {
        for (Record r : records) {
          if (r instanceof SRVRecord s) {
            String target = s.getTarget().toString(true);
            targets.add(new HostPort(target, s.getPort()));
          }
        }
      }
      case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND ->
          problems.add(name + ": no SRV records yet");
      default -> problems.add(name + ": SRV lookup failed (" + lookup.getErrorString() + ")");
    }
  }
}
