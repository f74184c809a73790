package dev.quorumdns.chaos.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Function;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsApi} with dnsjava's {@link SimpleResolver}: an A query over UDP (TCP on truncation) for
 * {@code <name>.<ns>.<domain>}. NOERROR and NXDOMAIN are answers ({@code ok}); SERVFAIL, REFUSED and
 * timeouts are {@code fail}. Thread-safe.
 */
public final class DnsjavaClient implements DnsApi {
  private final Function<String, InetSocketAddress> address;
  private final String domain;
  private final Duration timeout;

  /** @param address the DNS address of a node id; looked up on every query */
  public DnsjavaClient(Function<String, InetSocketAddress> address, String domain, Duration timeout) {
    this.address = address;
    this.domain = domain;
    this.timeout = timeout;
  }

  @Override
  public Outcome resolve(String node, String name) {
    String[] key = ServiceSpec.key(name);
    Name qname;
    try {
      qname = Name.fromString(key[1] + "." + key[0] + "." + domain + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("name: " + name + " (" + e.getMessage() + ")", e);
    }
    Message response;
    try {
      SimpleResolver resolver = new SimpleResolver(address.apply(node));
      resolver.setTimeout(timeout);
      response = resolver.send(Message.newQuery(Record.newRecord(qname, Type.A, DClass.IN)));
    } catch (SocketTimeoutException e) {
      return Outcome.fail("timeout", e.toString());
    } catch (PortUnreachableException e) {
      return Outcome.fail("unreachable", e.toString());
    } catch (IOException e) {
      return Outcome.fail(e.getMessage() != null && e.getMessage().contains("imed out") ? "timeout" : "io", e.toString());
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return Outcome.ok("NXDOMAIN", null, null, null);
    }
    if (rcode != Rcode.NOERROR) {
      return Outcome.fail(Rcode.string(rcode), "rcode " + Rcode.string(rcode));
    }
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof ARecord a && a.getName().equals(qname)) {
        return Outcome.ok("NOERROR", null, a.getAddress().getHostAddress(), null);
      }
    }
    return Outcome.ok("NOERROR", null, null, null);
  }
}
