package dev.quorumdns.dns.transfer;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.lookup.ZoneContents;
import dev.quorumdns.dns.lookup.Zones;
import dev.quorumdns.dns.transfer.TransferMetrics.Result;
import dev.quorumdns.registry.Cursor;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers zone transfer requests (AXFR, RFC 5936; IXFR, RFC 1995) from a snapshot of the local
 * replica: the policy ({@link TransferConfig}: addresses, TSIG), then the answer. An AXFR is every
 * record of the zone at the snapshot's revision between two SOAs, streamed in messages of about 32
 * KiB. An IXFR from a serial the change log still covers is one condensed difference (old SOA,
 * deleted records, new SOA, added records); from an older serial, or across a change of node
 * records or settings, it is the whole zone as in an AXFR; from our serial or a newer one, our SOA
 * alone. Transfers are TCP only, and at most {@code maxConcurrent} run at once.
 *
 * <p>Thread-safe: {@link #respond} runs on event-loop threads and does only cheap work there
 * (policy, opening a snapshot); the returned stream does the rest on whichever thread reads it,
 * normally {@link #executor()}.
 */
public final class ZoneTransfers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZoneTransfers.class);

  /**
   * An IXFR with more change records than this is answered with the whole zone instead (bounded
   * memory).
   */
  static final int MAX_IXFR_CHANGES = 20_000;

  /** A single answer, or a stream of messages; exactly one is set. */
  public record Response(byte[] single, MessageStream stream) {}

  private final DnsConfig dns;
  private final TransferConfig config;
  private final RegistryView view;
  private final SnapshotSource snapshots;
  private final TransferMetrics metrics;
  private final ZoneContents contents;
  private final TsigVerifier tsig;
  private final Semaphore running;
  private final ExecutorService executor;
  private final String logPrefix;

  public ZoneTransfers(
      DnsConfig dns,
      RegistryView view,
      SnapshotSource snapshots,
      TransferMetrics metrics,
      Clock clock) {
    this.dns = dns;
    this.config = dns.transfers();
    this.view = view;
    this.snapshots = snapshots;
    this.metrics = metrics;
    this.contents = new ZoneContents(dns);
    this.tsig = new TsigVerifier(config.keys(), clock, dns.nodeId());
    this.running = new Semaphore(config.maxConcurrent());
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "dns-xfr-" + dns.nodeId() + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.logPrefix = "[" + dns.nodeId() + "] ";
  }

  public TsigVerifier tsig() {
    return tsig;
  }

  public TransferMetrics metrics() {
    return metrics;
  }

  /** Transfers running now (for tests and diagnostics). */
  public int running() {
    return config.maxConcurrent() - running.availablePermits();
  }

  /** Where TCP connections run their transfer streams. */
  public ExecutorService executor() {
    return executor;
  }

  /** True for a zone transfer request: a QUERY for AXFR or IXFR. */
  public static boolean isTransfer(Message query) {
    Record q = query.getQuestion();
    return q != null
        && query.getHeader().getOpcode() == Opcode.QUERY
        && (q.getType() == Type.AXFR || q.getType() == Type.IXFR);
  }

  /**
   * The answer to a transfer request ({@link #isTransfer}) parsed from {@code wire}, from {@code
   * client} (null: from inside this process), over TCP or not.
   */
  public Response respond(Message query, byte[] wire, InetAddress client, boolean tcp) {
    Record q = query.getQuestion();
    String type = q.getType() == Type.AXFR ? "axfr" : "ixfr";
    if (!tcp) {
      return refuse(query, type, client, "over UDP (zone transfers are TCP only)");
    }
    TsigVerifier.Verdict v = tsig.verify(query, wire, client);
    if (v.failed()) {
      metrics.transfer(type, Result.NOTAUTH);
      return new Response(tsig.failure(query, v), null);
    }
    boolean inAllow = client != null && config.allow().contains(client);
    if (!config.permits(inAllow, v.verified())) {
      return refuse(
          query,
          type,
          client,
          v.verified()
              ? "address not in transfer-allow"
              : config.requireTsig()
                  ? "not signed (transfer-require-tsig)"
                  : "address not in transfer-allow");
    }
    if (q.getDClass() != DClass.IN) {
      return refuse(query, type, client, "class " + DClass.string(q.getDClass()));
    }
    SOARecord theirs = null;
    if (q.getType() == Type.IXFR) {
      List<Record> authority = query.getSection(Section.AUTHORITY);
      if (authority.size() != 1 || !(authority.get(0) instanceof SOARecord soa)) {
        metrics.transfer(type, Result.REFUSED);
        return single(query, v, Rcode.FORMERR, List.of());
      }
      theirs = soa;
    }
    if (!view.isLoaded()) {
      return servfail(query, v, type, "this node has not loaded the registry yet");
    }
    if (!running.tryAcquire()) {
      return servfail(
          query, v, type, config.maxConcurrent() + " transfers running (transfer-concurrency)");
    }
    RegistrySnapshot s;
    try {
      s = snapshots.open();
    } catch (IOException | RuntimeException e) {
      running.release();
      return servfail(query, v, type, "cannot read the registry: " + e.getMessage());
    }
    try {
      Name apex = q.getName().canonicalize();
      Zones zones = contents.zones(s);
      if (!zones.isApex(apex)) {
        release(s);
        metrics.transfer(type, Result.REFUSED);
        return single(query, v, Rcode.NOTAUTH, List.of());
      }
      SOARecord ours = contents.soa(apex, s.revision());
      long from =
          theirs == null ? Serials.UNKNOWN : Serials.revisionOf(theirs.getSerial(), s.revision());
      metrics.secondarySerial(client, theirs != null ? theirs.getSerial() : ours.getSerial());
      if (from == Serials.CURRENT) {
        release(s);
        metrics.transfer(type, Result.CURRENT);
        return single(query, v, Rcode.NOERROR, List.of(ours));
      }
      return new Response(null, stream(query, v, type, client, apex, zones, s, ours, theirs, from));
    } catch (RuntimeException e) {
      release(s);
      throw e;
    }
  }

  private MessageStream stream(
      Message query,
      TsigVerifier.Verdict v,
      String type,
      InetAddress client,
      Name apex,
      Zones zones,
      RegistrySnapshot s,
      SOARecord ours,
      SOARecord theirs,
      long from) {
    long start = System.nanoTime();
    Answer answer = new Answer(apex, zones, s, ours, from);
    return new TransferStream(
        query,
        answer,
        () -> {
          answer.close();
          s.close();
        },
        v.verified() ? v.key() : null,
        dns.udpPayloadSize(),
        (complete, records, messages) -> {
          Result result =
              !complete ? Result.ABORTED : answer.incremental ? Result.INCREMENTAL : Result.FULL;
          metrics.transfer(type, result);
          running.release();
          LOG.info(
              logPrefix
                  + type.toUpperCase(Locale.ROOT)
                  + " of "
                  + apex
                  + " to "
                  + (client == null ? "a local caller" : client.getHostAddress())
                  + (v.verified() ? " (key " + query.getTSIG().getName() + ")" : "")
                  + ": "
                  + (complete ? "" : "cut short after ")
                  + (answer.incremental
                      ? "difference from serial " + theirs.getSerial()
                      : "whole zone")
                  + " at serial "
                  + ours.getSerial()
                  + ", "
                  + records
                  + " records in "
                  + messages
                  + " messages, "
                  + (System.nanoTime() - start) / 1_000_000
                  + " ms");
        });
  }

  /**
   * The records of the answer, decided on its first read (so a diff is computed on the stream's
   * thread): the condensed difference when the change log has it, else the whole zone.
   */
  private final class Answer implements Iterator<Record>, AutoCloseable {
    private final Name apex;
    private final Zones zones;
    private final RegistrySnapshot snapshot;
    private final SOARecord ours;
    private final long from;
    private Iterator<Record> parts;
    private Cursor<Record> body;
    boolean incremental;

    Answer(Name apex, Zones zones, RegistrySnapshot snapshot, SOARecord ours, long from) {
      this.apex = apex;
      this.zones = zones;
      this.snapshot = snapshot;
      this.ours = ours;
      this.from = from;
    }

    private Iterator<Record> parts() {
      if (parts == null) {
        ZoneContents.Diff diff =
            from >= 0 ? contents.diff(apex, zones, snapshot, from, MAX_IXFR_CHANGES) : null;
        if (diff != null) {
          incremental = true;
          List<Record> all = new ArrayList<>(diff.deleted().size() + diff.added().size() + 4);
          all.add(ours);
          // Our SOA at their serial, which every node renders alike: what the secondary holds, to
          // the byte.
          all.add(contents.soa(apex, from));
          all.addAll(diff.deleted());
          all.add(ours);
          all.addAll(diff.added());
          all.add(ours);
          parts = all.iterator();
        } else {
          body = contents.records(apex, zones, snapshot);
          parts = new Concat(ours, body, ours);
        }
      }
      return parts;
    }

    @Override
    public boolean hasNext() {
      return parts().hasNext();
    }

    @Override
    public Record next() {
      return parts().next();
    }

    @Override
    public void close() {
      if (body != null) {
        body.close();
      }
    }
  }

  /** One record, a cursor's records, one record. */
  private static final class Concat implements Iterator<Record> {
    private Record head;
    private final Iterator<Record> body;
    private Record tail;

    Concat(Record head, Iterator<Record> body, Record tail) {
      this.head = head;
      this.body = body;
      this.tail = tail;
    }

    @Override
    public boolean hasNext() {
      return head != null || body.hasNext() || tail != null;
    }

    @Override
    public Record next() {
      Record r;
      if (head != null) {
        r = head;
        head = null;
      } else if (body.hasNext()) {
        r = body.next();
      } else if (tail != null) {
        r = tail;
        tail = null;
      } else {
        throw new NoSuchElementException();
      }
      return r;
    }
  }

  private Response refuse(Message query, String type, InetAddress client, String why) {
    metrics.transfer(type, Result.REFUSED);
    LOG.atDebug().log(
        () ->
            logPrefix
                + type.toUpperCase(Locale.ROOT)
                + " of "
                + query.getQuestion().getName()
                + " from "
                + (client == null ? "a local caller" : client.getHostAddress())
                + " refused: "
                + why);
    return single(query, TsigVerifier.Verdict.UNSIGNED, Rcode.REFUSED, List.of());
  }

  private Response servfail(Message query, TsigVerifier.Verdict v, String type, String why) {
    metrics.transfer(type, Result.SERVFAIL);
    LOG.info(
        logPrefix
            + type.toUpperCase(Locale.ROOT)
            + " of "
            + query.getQuestion().getName()
            + " answered SERVFAIL: "
            + why);
    return single(query, v, Rcode.SERVFAIL, List.of());
  }

  /** A one-message answer, signed if the query was. */
  private Response single(Message query, TsigVerifier.Verdict v, int rcode, List<Record> answer) {
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(Opcode.QUERY);
    h.setRcode(rcode);
    if (rcode == Rcode.NOERROR || rcode == Rcode.NOTAUTH) {
      h.setFlag(Flags.AA);
    }
    m.addRecord(query.getQuestion(), Section.QUESTION);
    answer.forEach(r -> m.addRecord(r, Section.ANSWER));
    if (v.verified()) {
      TsigVerifier.sign(m, query, v);
    }
    return new Response(m.toWire(65535), null);
  }

  /** Ends a transfer that answers without a stream: its snapshot closed, its place given back. */
  private void release(RegistrySnapshot s) {
    try {
      s.close();
    } finally {
      running.release();
    }
  }

  /** Stops the transfer threads; streams still running end at their next read. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
