package dev.quorumdns.dns.wire;

import dev.quorumdns.dns.AddressRanges;
import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.DnsMetrics;
import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Lookup;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.transfer.MessageStream;
import dev.quorumdns.dns.transfer.TsigVerifier;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.registry.RegistryView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one query packet into one answer packet (docs/architecture.md): the handler half of the
 * lookup/handler split. A plain query whose answer is cached is answered by patching cached bytes;
 * anything else is parsed with dnsjava, checked (one question, opcode, EDNS version, class), looked
 * up with the {@link Resolver}, and written with truncation to the client's size. Packets too short
 * to carry a header, and responses, are dropped; unparseable queries get a bare FORMERR. Questions
 * outside our zones are forwarded only for clients inside {@code upstream-allow}; others get
 * REFUSED. With {@link ZoneTransfers}, AXFR and IXFR requests go there (their answers may be
 * streams of messages), and signed queries have their TSIG checked and their answers signed. Never
 * throws: an internal failure is counted, logged and answered SERVFAIL. Thread-safe; called on
 * event-loop threads.
 */
public final class QueryHandler {
  private static final Logger LOG = LoggerFactory.getLogger(QueryHandler.class);
  private static final int TCP_MAX = 65535;

  /**
   * Receives the answer; ownership of the buffer passes to it. Forwarded answers arrive on another
   * thread.
   */
  @FunctionalInterface
  public interface BufferReply {
    void send(ByteBuf answer);
  }

  /** Receives the answer bytes. Forwarded answers arrive on another thread. */
  @FunctionalInterface
  public interface Reply {
    void send(byte[] answer);
  }

  /**
   * A {@link BufferReply} that also takes the messages of a zone transfer as a stream, to send at
   * the pace its connection allows (TCP). A reply that is not one gets each message through {@code
   * send}, at once.
   */
  public interface StreamReply extends BufferReply {
    /** Takes ownership of {@code messages}: sends them in order, then closes the stream. */
    void stream(MessageStream messages);
  }

  private final DnsConfig config;
  private final Resolver resolver;
  private final RegistryView view;
  private final DnsMetrics metrics;
  private final Forwarder forwarder;
  private final Responses responses;
  private final AnswerCache cache;
  private final AddressRanges upstreamAllow;
  private final ZoneTransfers transfers;
  private final String logPrefix;

  public QueryHandler(Resolver resolver, DnsMetrics metrics) {
    this(resolver, metrics, null);
  }

  /**
   * @param transfers answers AXFR and IXFR and checks TSIG; null: transfers are REFUSED and TSIG
   *     ignored
   */
  public QueryHandler(Resolver resolver, DnsMetrics metrics, ZoneTransfers transfers) {
    this(resolver, metrics, AnswerCache.DEFAULT_MAX_ENTRIES, transfers);
  }

  QueryHandler(Resolver resolver, DnsMetrics metrics, int cacheEntries) {
    this(resolver, metrics, cacheEntries, null);
  }

  QueryHandler(Resolver resolver, DnsMetrics metrics, int cacheEntries, ZoneTransfers transfers) {
    this.config = resolver.config();
    this.resolver = resolver;
    this.view = resolver.view();
    this.metrics = metrics;
    this.forwarder =
        new Forwarder(config.upstreams(), config.upstreamTimeout(), config.udpPayloadSize());
    this.responses =
        new Responses(config.udpPayloadSize(), config.nodeId().getBytes(StandardCharsets.US_ASCII));
    this.cache = new AnswerCache(cacheEntries);
    this.upstreamAllow = config.limits().upstreamAllow();
    this.transfers = transfers;
    this.logPrefix = "[" + config.nodeId() + "] ";
  }

  /**
   * Answers the query in {@code packet}'s readable bytes (not consumed, not released) that arrived
   * over {@code transport} from a caller inside this process (tools, tests), which may have
   * questions forwarded.
   */
  public void handle(
      ByteBuf packet, Transport transport, ByteBufAllocator alloc, BufferReply reply) {
    handle(packet, transport, null, alloc, reply);
  }

  /**
   * Answers the query in {@code packet}'s readable bytes (not consumed, not released) that arrived
   * over {@code transport} from {@code client} (null: from inside this process): calls {@code
   * reply} once, now or later, or never if the packet is dropped.
   */
  public void handle(
      ByteBuf packet,
      Transport transport,
      InetAddress client,
      ByteBufAllocator alloc,
      BufferReply reply) {
    long start = System.nanoTime();
    ByteBuf answer;
    try {
      answer = answer(packet, transport, client, alloc, reply, start);
    } catch (RuntimeException e) {
      metrics.error();
      internalError("query failed inside the server, answered SERVFAIL", e);
      answer = failure(packet, alloc);
    }
    if (answer != null) {
      reply.send(answer);
    }
  }

  /**
   * Answers the query {@code packet} without Netty channels (tools and tests): the same path as
   * {@link #handle(ByteBuf, Transport, ByteBufAllocator, BufferReply)}, cache included.
   */
  public void handle(byte[] packet, Transport transport, Reply reply) {
    handle(packet, transport, null, reply);
  }

  /** {@link #handle(byte[], Transport, Reply)} for a query from {@code client}. */
  public void handle(byte[] packet, Transport transport, InetAddress client, Reply reply) {
    handle(
        Unpooled.wrappedBuffer(packet),
        transport,
        client,
        UnpooledByteBufAllocator.DEFAULT,
        answer -> {
          try {
            reply.send(ByteBufUtil.getBytes(answer));
          } finally {
            answer.release();
          }
        });
  }

  private ByteBuf answer(
      ByteBuf packet,
      Transport transport,
      InetAddress client,
      ByteBufAllocator alloc,
      BufferReply reply,
      long start) {
    QueryKey key = QueryKey.parse(packet, transport == Transport.TCP, config.udpPayloadSize());
    if (key != null) {
      AnswerCache.Entry hit = cache.get(key, view);
      metrics.cache(hit != null);
      if (hit != null) {
        count(key.qtype, hit.rcode(), hit.truncated(), transport, start);
        return AnswerCache.patch(hit, packet, key, alloc);
      }
    }
    byte[] wire = slowPath(packet, key, transport, client, alloc, reply, start);
    return wire == null ? null : alloc.ioBuffer(wire.length).writeBytes(wire);
  }

  /**
   * The answer from dnsjava's parse and our resolver, or null if dropped, sent upstream or a
   * transfer.
   */
  private byte[] slowPath(
      ByteBuf packet,
      QueryKey key,
      Transport transport,
      InetAddress client,
      ByteBufAllocator alloc,
      BufferReply reply,
      long start) {
    int at = packet.readerIndex();
    if (packet.readableBytes() < QueryKey.HEADER || (packet.getByte(at + 2) & 0x80) != 0) {
      metrics.malformed();
      return null; // no header to answer with, or a response: answering those makes loops
    }
    byte[] bytes = ByteBufUtil.getBytes(packet);
    Message query;
    try {
      query = new Message(bytes);
    } catch (IOException | RuntimeException e) {
      metrics.malformed();
      count(0, Rcode.FORMERR, false, transport, start);
      return Responses.headerOnly(bytes, Rcode.FORMERR);
    }
    int maxSize = maxSize(query, transport);
    Record question = query.getQuestion();
    int qtype = question == null ? 0 : question.getType();
    if (transfers != null
        && ZoneTransfers.isTransfer(query)
        && query.getHeader().getCount(Section.QUESTION) == 1
        && query.getHeader().getCount(Section.ANSWER) == 0) {
      transfer(query, bytes, qtype, transport, client, alloc, reply, start);
      return null;
    }
    TsigVerifier.Verdict tsig =
        transfers == null ? null : transfers.tsig().verify(query, bytes, client);
    if (tsig != null && tsig.failed()) {
      count(qtype, Rcode.NOTAUTH, false, transport, start);
      return transfers.tsig().failure(query, tsig);
    }
    int rcode = protocolError(query);
    if (rcode != Rcode.NOERROR) {
      byte[] wire = responses.reply(query, rcode, rcode != Rcode.FORMERR).toWire(maxSize);
      count(qtype, rcode, false, transport, start);
      return wire;
    }
    Name qname = question.getName().canonicalize();
    Lookup lookup = resolver.lookup(qname, qtype);
    boolean refused = lookup.result() == Lookup.Result.REFUSED;
    if (refused && forwarder.enabled()) {
      if (client == null || upstreamAllow.contains(client)) {
        forward(query, qtype, maxSize, transport, reply, start);
        return null;
      }
      metrics.forwardRefused();
    }
    Message m = responses.answer(query, lookup);
    if (tsig != null && tsig.verified()) {
      TsigVerifier.sign(m, query, tsig);
    }
    byte[] wire = m.toWire(maxSize);
    // With upstreams, REFUSED depends on who asks: such answers are not cached, so no client gets
    // another's.
    // Signed queries never have a cache key (their TSIG makes them not plain).
    if (key != null && lookup.validity() != null && !(refused && forwarder.enabled())) {
      cache.put(key, wire, m.getRcode(), lookup.validity());
    }
    count(qtype, m.getRcode(), (wire[2] & 0x02) != 0, transport, start);
    return wire;
  }

  /**
   * Hands a transfer request to {@link ZoneTransfers} and its answer to {@code reply}, streamed if
   * it can.
   */
  private void transfer(
      Message query,
      byte[] bytes,
      int qtype,
      Transport transport,
      InetAddress client,
      ByteBufAllocator alloc,
      BufferReply reply,
      long start) {
    ZoneTransfers.Response r = transfers.respond(query, bytes, client, transport == Transport.TCP);
    if (r.single() != null) {
      count(qtype, r.single()[3] & 0x0f, false, transport, start);
      reply.send(alloc.ioBuffer(r.single().length).writeBytes(r.single()));
      return;
    }
    count(qtype, Rcode.NOERROR, false, transport, start);
    if (reply instanceof StreamReply s) {
      s.stream(r.stream());
      return;
    }
    try (MessageStream stream = r.stream()) {
      for (byte[] m = stream.next(); m != null; m = stream.next()) {
        reply.send(alloc.ioBuffer(m.length).writeBytes(m));
      }
    }
  }

  /** What is wrong with a parsed query as a question we answer, or NOERROR. */
  private static int protocolError(Message query) {
    if (query.getHeader().getOpcode() != Opcode.QUERY) {
      return Rcode.NOTIMP;
    }
    if (query.getHeader().getCount(Section.QUESTION) != 1
        || query.getHeader().getCount(Section.ANSWER) != 0
        || query.getHeader().getCount(Section.AUTHORITY) != 0
        || optCount(query) > 1) {
      return Rcode.FORMERR;
    }
    OPTRecord opt = query.getOPT();
    if (opt != null && !opt.getName().equals(Name.root)) {
      return Rcode.FORMERR;
    }
    if (opt != null && opt.getVersion() > 0) {
      return Rcode.BADVERS;
    }
    Record q = query.getQuestion();
    int type = q.getType();
    if (type == Type.OPT || type == Type.TSIG || type == Type.TKEY) {
      return Rcode.FORMERR;
    }
    if (type == Type.MAILA || type == Type.MAILB) {
      return Rcode.NOTIMP;
    }
    if (q.getDClass() != DClass.IN || type == Type.AXFR || type == Type.IXFR) {
      return Rcode.REFUSED; // no other classes; zone transfers are not offered
    }
    return Rcode.NOERROR;
  }

  private static int optCount(Message query) {
    int n = 0;
    for (Record r : query.getSection(Section.ADDITIONAL)) {
      if (r.getType() == Type.OPT) {
        n++;
      }
    }
    return n;
  }

  private int maxSize(Message query, Transport transport) {
    if (transport == Transport.TCP) {
      return TCP_MAX;
    }
    OPTRecord opt = query.getOPT();
    return opt == null
        ? 512
        : Math.max(512, Math.min(opt.getPayloadSize(), config.udpPayloadSize()));
  }

  private void forward(
      Message query, int qtype, int maxSize, Transport transport, BufferReply reply, long start) {
    Message upstream = Message.newQuery(query.getQuestion());
    forwarder
        .forward(upstream)
        .whenComplete(
            (answer, err) -> {
              try {
                metrics.forwarded(err == null);
                if (err != null) {
                  LOG.atDebug().log(
                      () ->
                          logPrefix
                              + "no upstream answered "
                              + query.getQuestion().getName()
                              + ": "
                              + err);
                }
                Message m =
                    err == null
                        ? responses.forwarded(query, answer)
                        : responses.forwardFailed(query);
                byte[] wire = m.toWire(maxSize);
                count(qtype, m.getRcode(), (wire[2] & 0x02) != 0, transport, start);
                reply.send(Unpooled.wrappedBuffer(wire));
              } catch (RuntimeException e) {
                internalError("answer from upstream could not be passed on", e);
              }
            });
  }

  /** Counts and logs a bug: one WARNING line with where it happened; the stack trace at DEBUG. */
  private void internalError(String what, RuntimeException e) {
    metrics.error();
    StackTraceElement[] at = e.getStackTrace();
    LOG.warn(logPrefix + "DNS " + what + ": " + e + (at.length > 0 ? " at " + at[0] : ""));
    LOG.atDebug().setCause(e).log(() -> logPrefix + "DNS " + what);
  }

  private void count(int qtype, int rcode, boolean truncated, Transport transport, long start) {
    if (truncated) {
      metrics.truncated();
    }
    metrics.query(qtype, rcode, transport, start);
  }

  /** SERVFAIL for a query we failed on, if it has a header and is not itself a response. */
  private static ByteBuf failure(ByteBuf packet, ByteBufAllocator alloc) {
    if (packet.readableBytes() < QueryKey.HEADER
        || (packet.getByte(packet.readerIndex() + 2) & 0x80) != 0) {
      return null;
    }
    byte[] header = new byte[QueryKey.HEADER];
    packet.getBytes(packet.readerIndex(), header);
    return alloc.ioBuffer(QueryKey.HEADER).writeBytes(Responses.headerOnly(header, Rcode.SERVFAIL));
  }

  /** Cached answers now; for tests and diagnostics. */
  long cachedAnswers() {
    return cache.size();
  }
}
