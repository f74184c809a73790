package dev.quorumdns.node;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.DnsServer;
import dev.quorumdns.dns.ZoneRecords;
import dev.quorumdns.dns.transfer.SnapshotSource;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.runtime.ZoneRecord;
import dev.quorumdns.registry.RegistryView;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** The node's DNS server, configured from the node's settings. Started once, closed once. */
final class DnsWiring implements AutoCloseable {
  private final DnsConfig config;
  private final DnsServer server;

  private DnsWiring(DnsConfig config, DnsServer server) {
    this.config = config;
    this.server = server;
  }

  static DnsConfig dnsConfig(NodeConfig c) {
    return new DnsConfig(
            c.bind(),
            c.dnsPort(),
            c.domain(),
            c.id(),
            c.dnsTtl(),
            c.dnsNegativeTtl(),
            c.upstreams(),
            Duration.ofSeconds(2),
            1232,
            Duration.ofSeconds(30),
            1024,
            c.dnsThreads())
        .withLimits(c.dnsLimits())
        .withTransfers(c.transfers());
  }

  /**
   * Binds the DNS ports; until the registry is loaded every in-zone answer is SERVFAIL. Zone
   * transfers read {@code snapshots}, consistent reads of the replica behind {@code view}.
   */
  static DnsWiring start(
      NodeConfig c, RegistryView view, SnapshotSource snapshots, MeterRegistry meters)
      throws InterruptedException {
    DnsConfig dc = dnsConfig(c);
    DnsServer server = new DnsServer(dc, view, snapshots, meters);
    server.start();
    return new DnsWiring(dc, server);
  }

  /** Every record this node serves, zone by zone. */
  List<ZoneRecord> records(RegistryView view) {
    List<ZoneRecord> out = new ArrayList<>();
    for (Record r : ZoneRecords.enumerate(view, config)) {
      out.add(
          new ZoneRecord(
              r.getName().toString(), Type.string(r.getType()), r.getTTL(), r.rdataToString()));
    }
    return out;
  }

  @Override
  public void close() {
    server.close();
  }
}
