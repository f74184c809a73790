package dev.quorumdns.dns.wire;

import dev.quorumdns.dns.lookup.Lookup;
import java.util.List;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Builds response messages with dnsjava: the header echo (id, opcode, RD, CD), the question, and
 * the EDNS0 reply (our payload size, the DO bit copied, NSID when asked, the extended rcode).
 * Immutable.
 */
final class Responses {
  private final int payloadSize;
  private final List<EDNSOption> nsid;

  Responses(int payloadSize, byte[] nsid) {
    this.payloadSize = payloadSize;
    this.nsid = List.of(new NSIDOption(nsid));
  }

  /**
   * An empty response to {@code query} with {@code rcode} (extended rcodes go into the OPT record).
   */
  Message reply(Message query, int rcode, boolean withOpt) {
    Header qh = query.getHeader();
    Message m = new Message(qh.getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (qh.getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    h.setRcode(rcode & 0xf);
    if (qh.getCount(Section.QUESTION) == 1) {
      m.addRecord(query.getQuestion(), Section.QUESTION);
    }
    OPTRecord opt = withOpt ? query.getOPT() : null;
    if (opt != null) {
      boolean wantsNsid = !opt.getOptions(EDNSOption.Code.NSID).isEmpty();
      m.addRecord(
          new OPTRecord(
              payloadSize,
              rcode >>> 4,
              0,
              opt.getFlags() & ExtendedFlags.DO,
              wantsNsid ? nsid : List.of()),
          Section.ADDITIONAL);
    }
    return m;
  }

  /** The message for a lookup from our own zones. */
  Message answer(Message query, Lookup lookup) {
    int rcode =
        switch (lookup.result()) {
          case SUCCESS, NO_DATA -> Rcode.NOERROR;
          case NAME_ERROR -> Rcode.NXDOMAIN;
          case REFUSED -> Rcode.REFUSED;
          case SERVER_FAILURE -> Rcode.SERVFAIL;
        };
    Message m = reply(query, rcode, true);
    if (lookup.authoritative()) {
      m.getHeader().setFlag(Flags.AA);
    }
    lookup.answer().forEach(r -> m.addRecord(r, Section.ANSWER));
    lookup.authority().forEach(r -> m.addRecord(r, Section.AUTHORITY));
    lookup.additional().forEach(r -> m.addRecord(r, Section.ADDITIONAL));
    return m;
  }

  /**
   * The upstream's answer to a forwarded query, as ours: its rcode and records, RA set, never AA.
   */
  Message forwarded(Message query, Message upstream) {
    Message m = reply(query, upstream.getRcode() & 0xf, true);
    m.getHeader().setFlag(Flags.RA);
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : upstream.getSection(section)) {
        if (!(r instanceof OPTRecord)) {
          m.addRecord(r, section);
        }
      }
    }
    return m;
  }

  /** SERVFAIL with RA for a forwarded query no upstream answered. */
  Message forwardFailed(Message query) {
    Message m = reply(query, Rcode.SERVFAIL, true);
    m.getHeader().setFlag(Flags.RA);
    return m;
  }

  /**
   * A bare header for a packet whose header could be read but not the rest: same id, opcode and RD,
   * QR set, no records (RFC 1035 §4.1.1 FORMERR).
   */
  static byte[] headerOnly(byte[] packet, int rcode) {
    byte[] out = new byte[QueryKey.HEADER];
    out[0] = packet[0];
    out[1] = packet[1];
    out[2] = (byte) (0x80 | (packet[2] & 0x79));
    out[3] = (byte) (rcode & 0x0f);
    return out;
  }
}
