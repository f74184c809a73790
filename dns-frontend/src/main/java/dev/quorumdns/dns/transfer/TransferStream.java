package dev.quorumdns.dns.transfer;

import java.util.Iterator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * Packs a sequence of records into the messages of one transfer answer (RFC 5936 §2.2): each
 * message has the query's id, QR and AA, the records that fit in about {@link #TARGET_BYTES}, our
 * OPT if the query had one, and, for a signed query, its own TSIG (RFC 8945 §5.3.1: the first
 * signed with the query's MAC, each next one with the previous message's). The question is in the
 * first message only. Confined to one thread.
 */
final class TransferStream implements MessageStream {
  /**
   * Records are added while their uncompressed size stays under this; far below the 64 KiB message
   * limit.
   */
  static final int TARGET_BYTES = 32 * 1024;

  /** What the stream does when it is closed: finished whole, or cut short. */
  @FunctionalInterface
  interface Done {
    void done(boolean complete, long records, long messages);
  }

  private final Message query;
  private final Iterator<Record> records;
  private final AutoCloseable source;
  private final TSIG key;
  private final int payloadSize;
  private final Done done;
  private TSIGRecord previous;
  private boolean first = true;
  private boolean finished;
  private boolean closed;
  private long recordCount;
  private long messageCount;

  /**
   * @param records the answer's records in order (for AXFR: SOA, ..., SOA)
   * @param source closed with the stream (the snapshot the records come from)
   * @param key signs every message when the query was signed with it, else null
   * @param payloadSize our EDNS payload size, for the OPT record
   */
  TransferStream(
      Message query,
      Iterator<Record> records,
      AutoCloseable source,
      TSIG key,
      int payloadSize,
      Done done) {
    this.query = query;
    this.records = records;
    this.source = source;
    this.key = key;
    this.payloadSize = payloadSize;
    this.done = done;
    this.previous = query.getTSIG();
  }

  @Override
  public byte[] next() {
    if (finished) {
      return null;
    }
    if (!first && !records.hasNext()) {
      finished = true;
      return null;
    }
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.AA);
    h.setOpcode(Opcode.QUERY);
    h.setRcode(Rcode.NOERROR);
    if (first) {
      m.addRecord(query.getQuestion(), Section.QUESTION);
    }
    int size = 0;
    while (size < TARGET_BYTES && records.hasNext()) {
      Record r = records.next();
      m.addRecord(r, Section.ANSWER);
      size += wireSize(r);
      recordCount++;
    }
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      m.addRecord(
          new OPTRecord(payloadSize, 0, 0, opt.getFlags() & ExtendedFlags.DO), Section.ADDITIONAL);
    }
    byte[] wire = m.toWire();
    if (key != null) {
      wire = signed(m, wire);
    }
    first = false;
    messageCount++;
    return wire;
  }

  /** The message with its TSIG appended: RFC 8945 §5.3.1, each message signed. */
  private byte[] signed(Message m, byte[] wire) {
    // dnsjava signs the first message as it would carry the query's original id, writing that id
    // into the array
    // it is given: give it a copy, so the message sent keeps the id the query came with (RFC 8945
    // §5.4).
    TSIGRecord sig = key.generate(m, wire.clone(), Rcode.NOERROR, previous, first);
    previous = sig;
    byte[] rr = sig.toWire(Section.ADDITIONAL);
    byte[] out = new byte[wire.length + rr.length];
    System.arraycopy(wire, 0, out, 0, wire.length);
    System.arraycopy(rr, 0, out, wire.length, rr.length);
    int arcount = ((out[10] & 0xff) << 8 | (out[11] & 0xff)) + 1;
    out[10] = (byte) (arcount >>> 8);
    out[11] = (byte) arcount;
    return out;
  }

  /** An upper bound of a record's size in a message, without rendering it. */
  static int wireSize(Record r) {
    int rdata;
    if (r instanceof ARecord) {
      rdata = 4;
    } else if (r instanceof AAAARecord) {
      rdata = 16;
    } else if (r instanceof SRVRecord s) {
      rdata = 6 + s.getTarget().length();
    } else if (r instanceof PTRRecord p) {
      rdata = p.getTarget().length();
    } else if (r instanceof NSRecord n) {
      rdata = n.getTarget().length();
    } else if (r instanceof SOARecord s) {
      rdata = s.getHost().length() + s.getAdmin().length() + 20;
    } else {
      rdata = r.rdataToWireCanonical().length;
    }
    return r.getName().length() + 10 + rdata;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      source.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing a transfer's snapshot", e);
    } finally {
      done.done(finished, recordCount, messageCount);
    }
  }
}
