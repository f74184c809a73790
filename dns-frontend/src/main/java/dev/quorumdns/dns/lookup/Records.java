package dev.quorumdns.dns.lookup;

import dev.quorumdns.dns.DnsConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
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

/**
 * Builds the records of our zones with the configured TTLs and SOA fields (docs/architecture.md).
 * Immutable.
 */
final class Records {
  static final String NODE_LABEL = "node";
  static final long SOA_REFRESH = 60;
  static final long SOA_RETRY = 10;
  static final long SOA_EXPIRE = 86400;
  static final int SRV_PRIORITY = 0;
  static final int SRV_WEIGHT = 100;

  private final DnsConfig config;
  private final Name forward;
  private final Name nodeZone;
  private final Name mname;
  private final Name rname;

  Records(DnsConfig config) {
    this.config = config;
    this.forward = Zones.absolute(config.domain());
    this.nodeZone = child(NODE_LABEL, forward);
    this.mname = child(config.nodeId(), nodeZone);
    this.rname = child("hostmaster", forward);
  }

  static Name child(String relative, Name parent) {
    try {
      return Name.fromString(relative, parent);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(relative, e);
    }
  }

  Name forward() {
    return forward;
  }

  Name nodeName(String id) {
    return child(id, nodeZone);
  }

  Record address(Name owner, InetAddress addr) {
    return addr instanceof Inet4Address
        ? new ARecord(owner, DClass.IN, config.ttlSeconds(), addr)
        : new AAAARecord(owner, DClass.IN, config.ttlSeconds(), addr);
  }

  Record srv(Name owner, int port, Name target) {
    return srv(owner, SRV_WEIGHT, port, target);
  }

  Record srv(Name owner, int weight, int port, Name target) {
    return new SRVRecord(owner, DClass.IN, config.ttlSeconds(), SRV_PRIORITY, weight, port, target);
  }

  Record ptr(Name owner, Name target) {
    return new PTRRecord(owner, DClass.IN, config.ttlSeconds(), target);
  }

  Record ns(Name apex, Name host) {
    return new NSRecord(apex, DClass.IN, config.ttlSeconds(), host);
  }

  /** RFC 8482 §4.2: the one synthesized HINFO that answers ANY at a name that exists. */
  Record anyAnswer(Name owner) {
    return new HINFORecord(owner, DClass.IN, config.ttlSeconds(), "RFC8482", "");
  }

  /** The SOA of {@code apex} as an answer: serial = revision mod 2^32 (RFC 1982), TTL = dns-ttl. */
  SOARecord soa(Name apex, long revision) {
    return soa(apex, revision, config.ttlSeconds());
  }

  /** The SOA of {@code apex} for the authority section of a negative answer (RFC 2308 §5). */
  SOARecord negativeSoa(Name apex, long revision) {
    return soa(apex, revision, config.negativeAnswerTtl());
  }

  /**
   * The SOA of {@code apex} in zone transfers and NOTIFY: mname {@code node.<domain>.} instead of
   * this node's own name, so every node gives the same record for the same revision and a secondary
   * can apply an IXFR from any node to a zone it got from another (an IXFR deletes the old SOA by
   * its exact content).
   */
  SOARecord transferSoa(Name apex, long revision) {
    return new SOARecord(
        apex,
        DClass.IN,
        config.ttlSeconds(),
        nodeZone,
        rname,
        revision & 0xffffffffL,
        SOA_REFRESH,
        SOA_RETRY,
        SOA_EXPIRE,
        config.negativeTtlSeconds());
  }

  private SOARecord soa(Name apex, long revision, long ttl) {
    return new SOARecord(
        apex,
        DClass.IN,
        ttl,
        mname,
        rname,
        revision & 0xffffffffL,
        SOA_REFRESH,
        SOA_RETRY,
        SOA_EXPIRE,
        config.negativeTtlSeconds());
  }
}
