package dev.quorumdns.dns.wire;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.DnsMetrics;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Lookup;
import dev.quorumdns.dns.lookup.Resolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one query packet into one answer packet (design.md §3 protocol rules): parsing and validation,
 * EDNS0, the answer cache, truncation, forwarding. Never throws: a packet that cannot be understood is answered
 * FORMERR when its header can be read, else dropped. Thread-safe.
 */
public final class QueryHandler {
  private static final System.Logger LOG = System.getLogger(QueryHandler.class.getName());
  private static final int HEADER = 12;
  private static final int TCP_MAX = 65535;

  private final Resolver resolver;
  private final DnsConfig config;
  private final DnsMetrics metrics;
  private final Forwarder forwarder;
  private final AnswerCache cache = new AnswerCache();
  private final byte[] nsid;

  /** Receives the answer (possibly on another thread, for forwarded queries); null means no answer. */
  @FunctionalInterface
  public interface Reply {
    void send(byte[] answer);
  }

  public QueryHandler(Resolver resolver, DnsMetrics metrics) {
    this.resolver = resolver;
    this.config = resolver.config();
    this.metrics = metrics;
    this.forwarder = new Forwarder(config.upstreams(), config.upstreamTimeout());
    this.nsid = config.nodeId().getBytes(StandardCharsets.US_ASCII);
  }

  /** Answers {@code packet}, which arrived over {@code transport}. */
  public void handle(byte[] packet, Transport transport, Reply reply) {
    long start = System.nanoTime();
    try {
      answer(packet, transport, start, reply);
    } catch (RuntimeException e) {
      // A bug, not bad input: answer SERVFAIL rather than lose the worker.
      LOG.log(System.Logger.Level.WARNING, "DNS query failed: " + e, e);
      if (packet.length >= HEADER) {
        reply.send(headerOnly(packet, Rcode.SERVFAIL));
      }
    }
  }

  private void answer(byte[] packet, Transport transport, long start, Reply reply) {
    if (packet.length < HEADER || (packet[2] & 0x80) != 0) {
      metrics.malformed();
      return; // Too short to answer, or a response: never answer those.
    }
    Message query;
    try {
      query = new Message(packet);
    } catch (Exception e) {
      metrics.malformed();
      reply.send(headerOnly(packet, Rcode.FORMERR));
      metrics.query(0, Rcode.FORMERR, transport, start);
      return;
    }
    Header h = query.getHeader();
    if (h.getOpcode() != Opcode.QUERY) {
      send(reply, simple(query, Rcode.NOTIMP), transport, Type.ANY, Rcode.NOTIMP, start);
      return;
    }
    Record question = query.getQuestion();
    if (question == null || h.getCount(Section.QUESTION) != 1 || h.getCount(Section.ANSWER) != 0
        || h.getCount(Section.AUTHORITY) != 0) {
      send(reply, simple(query, Rcode.FORMERR), transport, 0, Rcode.FORMERR, start);
      return;
    }
    int qtype = question.getType();
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() > 0) {
      Message m = simple(query, Rcode.NOERROR);
      m.addRecord(new OPTRecord(config.udpPayloadSize(), Rcode.BADVERS >> 4, 0), Section.ADDITIONAL);
      send(reply, m.toWire(), transport, qtype, Rcode.BADVERS, start);
      return;
    }
    if (qtype == Type.OPT || qtype == Type.TSIG || qtype == Type.TKEY) {
      send(reply, simple(query, Rcode.FORMERR, opt), transport, qtype, Rcode.FORMERR, start);
      return;
    }
    if (question.getDClass() != DClass.IN || qtype == Type.AXFR || qtype == Type.IXFR || qtype == Type.MAILA
        || qtype == Type.MAILB) {
      send(reply, simple(query, Rcode.REFUSED, opt), transport, qtype, Rcode.REFUSED, start);
      return;
    }
    boolean wantsNsid = opt != null && opt.getOptions(EDNSOption.Code.NSID).size() > 0;
    int maxSize = transport == Transport.TCP ? TCP_MAX
        : opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), config.udpPayloadSize()));
    Name qname = question.getName().canonicalize();
    int questionLength = question.getName().length();
    boolean patchable = questionIsPlain(packet, questionLength);
    AnswerCache.Key key = new AnswerCache.Key(qname, qtype, opt == null ? 0 : wantsNsid ? 2 : 1, maxSize);
    if (patchable) {
      AnswerCache.Entry hit = cache.get(key, resolver.view());
      if (hit != null) {
        metrics.cache(true);
        send(reply, patch(hit.wire(), packet, questionLength), transport, qtype, hit.rcode(), start);
        return;
      }
      metrics.cache(false);
    }
    Lookup lookup = resolver.lookup(qname, qtype);
    if (lookup.result() == Lookup.Result.FORWARD) {
      forward(query, opt, wantsNsid, maxSize, transport, qtype, start, reply);
      return;
    }
    Message m = response(query, lookup, opt, wantsNsid);
    byte[] wire = m.toWire(maxSize);
    int rcode = m.getRcode();
    if (patchable && lookup.freshness() != null) {
      cache.put(key, new AnswerCache.Entry(normalized(wire, questionLength), rcode, lookup.freshness()));
    }
    send(reply, wire, transport, qtype, rcode, start);
  }

  private void send(Reply reply, Message m, Transport transport, int qtype, int rcode, long start) {
    send(reply, m.toWire(), transport, qtype, rcode, start);
  }

  private void send(Reply reply, byte[] wire, Transport transport, int qtype, int rcode, long start) {
    if ((wire[2] & 0x02) != 0) {
      metrics.truncated();
    }
    reply.send(wire);
    metrics.query(qtype, rcode, transport, start);
  }

  private Message response(Message query, Lookup lookup, OPTRecord opt, boolean wantsNsid) {
    int rcode = switch (lookup.result()) {
      case SUCCESS, NO_DATA -> Rcode.NOERROR;
      case NAME_ERROR -> Rcode.NXDOMAIN;
      case REFUSED -> Rcode.REFUSED;
      case SERVER_FAILURE, FORWARD -> Rcode.SERVFAIL;
    };
    Message m = simple(query, rcode, opt, wantsNsid);
    if (lookup.authoritative()) {
      m.getHeader().setFlag(Flags.AA);
    }
    lookup.answer().forEach(r -> m.addRecord(r, Section.ANSWER));
    lookup.authority().forEach(r -> m.addRecord(r, Section.AUTHORITY));
    lookup.additional().forEach(r -> m.addRecord(r, Section.ADDITIONAL));
    return m;
  }

  /** A response echoing the query's id, flags RD/CD and question, with no records. */
  private Message simple(Message query, int rcode) {
    return simple(query, rcode, null, false);
  }

  private Message simple(Message query, int rcode, OPTRecord opt) {
    return simple(query, rcode, opt, false);
  }

  private Message simple(Message query, int rcode, OPTRecord opt, boolean wantsNsid) {
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(query.getHeader().getOpcode());
    if (query.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (query.getHeader().getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    h.setRcode(rcode);
    Record q = query.getQuestion();
    if (q != null && query.getHeader().getCount(Section.QUESTION) == 1) {
      m.addRecord(q, Section.QUESTION);
    }
    if (opt != null) {
      List<EDNSOption> options = wantsNsid ? List.of(new GenericEDNSOption(EDNSOption.Code.NSID, nsid)) : List.of();
      m.addRecord(new OPTRecord(config.udpPayloadSize(), 0, 0, 0, options), Section.ADDITIONAL);
    }
    return m;
  }

  private void forward(Message query, OPTRecord opt, boolean wantsNsid, int maxSize, Transport transport,
                       int qtype, long start, Reply reply) {
    metrics.forwarded();
    Message upstreamQuery = Message.newQuery(query.getQuestion());
    forwarder.forward(upstreamQuery).whenComplete((answer, err) -> {
      Message m;
      if (err != null || answer == null) {
        m = simple(query, Rcode.SERVFAIL, opt, wantsNsid);
      } else {
        m = simple(query, answer.getRcode() & 0xf, opt, wantsNsid);
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
          for (Record r : answer.getSection(section)) {
            if (!(r instanceof OPTRecord)) {
              m.addRecord(r, section);
            }
          }
        }
      }
      m.getHeader().setFlag(Flags.RA);
      send(reply, m.toWire(maxSize), transport, qtype, m.getRcode(), start);
    });
  }

  /** True if the query's question name is uncompressed at offset 12 and {@code length} bytes long. */
  private static boolean questionIsPlain(byte[] packet, int length) {
    int end = HEADER + length;
    if (end + 4 > packet.length) {
      return false;
    }
    int i = HEADER;
    while (i < end) {
      int len = packet[i] & 0xff;
      if (len == 0) {
        return i == end - 1;
      }
      if (len > 63) {
        return false;
      }
      i += len + 1;
    }
    return false;
  }

  /** A copy of a fresh answer for caching: id 0, RD and CD clear, question in lower case. */
  private static byte[] normalized(byte[] wire, int questionLength) {
    byte[] out = wire.clone();
    out[0] = 0;
    out[1] = 0;
    out[2] &= ~0x01;
    out[3] &= ~0x10;
    for (int i = HEADER; i < HEADER + questionLength; i++) {
      int len = out[i] & 0xff;
      for (int j = i + 1; j <= i + len; j++) {
        if (out[j] >= 'A' && out[j] <= 'Z') {
          out[j] = (byte) (out[j] + 32);
        }
      }
      if (len == 0) {
        break;
      }
      i += len;
    }
    return out;
  }

  /** The cached answer made this query's: its id, its RD and CD bits, its question's letter case. */
  private static byte[] patch(byte[] cached, byte[] query, int questionLength) {
    byte[] out = cached.clone();
    out[0] = query[0];
    out[1] = query[1];
    out[2] = (byte) ((out[2] & ~0x01) | (query[2] & 0x01));
    out[3] = (byte) ((out[3] & ~0x10) | (query[3] & 0x10));
    System.arraycopy(query, HEADER, out, HEADER, questionLength);
    return out;
  }

  /** A bare header answer for a query we could not parse: same id and opcode, QR and the rcode. */
  private static byte[] headerOnly(byte[] packet, int rcode) {
    byte[] out = new byte[HEADER];
    out[0] = packet[0];
    out[1] = packet[1];
    out[2] = (byte) (0x80 | (packet[2] & 0x78) | (packet[2] & 0x01));
    out[3] = (byte) (rcode & 0x0f);
    return out;
  }
}
