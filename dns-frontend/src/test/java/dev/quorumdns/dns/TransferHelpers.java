package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.dns.transfer.TransferMetrics;
import dev.quorumdns.dns.transfer.TsigKey;
import dev.quorumdns.dns.transfer.ZoneTransfers;
import dev.quorumdns.dns.wire.QueryHandler;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Helpers for transfer tests: a handler with transfers over a real registry, requests, and reading
 * answers.
 */
final class TransferHelpers {
  static final Name ZONE = Name.fromConstantString("mesh.internal.");
  static final InetAddress SECONDARY = IpAddresses.parse("a", "127.0.0.53");
  static final InetAddress STRANGER = IpAddresses.parse("a", "192.0.2.1");

  /** Fixed, test-only secret; a seeded key rather than a random one, so failures repeat. */
  static final byte[] SECRET =
      HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

  static final TsigKey KEY = new TsigKey(Name.fromConstantString("xfr-key."), SECRET);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC);

  private TransferHelpers() {}

  static TSIG tsig(TsigKey key) {
    return key.tsig(CLOCK);
  }

  static TSIG tsig(String name, byte[] secret, Clock clock) {
    return new TsigKey(Name.fromConstantString(name), secret).tsig(clock);
  }

  /**
   * Transfers from 127.0.0.0/8 for anyone, with {@code key} (if any) accepted and required as
   * {@code require}.
   */
  static TransferConfig config(TsigKey key, boolean require, int maxConcurrent) {
    return new TransferConfig(
        AddressRanges.parse("transfer-allow", List.of("127.0.0.0/8")),
        key == null ? List.of() : List.of(key),
        require,
        maxConcurrent,
        List.of(),
        Duration.ofSeconds(1));
  }

  static ZoneTransfers transfers(DnsConfig config, Registry registry, SimpleMeterRegistry meters) {
    return new ZoneTransfers(
        config, registry.view(), registry::snapshot, new TransferMetrics(meters), CLOCK);
  }

  static QueryHandler handler(DnsConfig config, Registry registry, ZoneTransfers transfers) {
    return new QueryHandler(
        new Resolver(config, registry.view()),
        new DnsMetrics(new SimpleMeterRegistry()),
        transfers);
  }

  static Message axfr(Name zone, int id) {
    Message q = Message.newQuery(Record.newRecord(zone, Type.AXFR, DClass.IN));
    q.getHeader().setID(id);
    return q;
  }

  static Message ixfr(Name zone, long serial, int id) {
    Message q = Message.newQuery(Record.newRecord(zone, Type.IXFR, DClass.IN));
    q.getHeader().setID(id);
    q.addRecord(
        new SOARecord(zone, DClass.IN, 0, Name.root, Name.root, serial, 0, 0, 0, 0),
        Section.AUTHORITY);
    return q;
  }

  /** The query's wire form, signed with {@code key} when it is not null. */
  static byte[] wire(Message q, TSIG key) {
    if (key != null) {
      q.setTSIG(key, Rcode.NOERROR, null);
    }
    return q.toWire(65535);
  }

  /** Every message the handler sends for {@code query}, parsed. */
  static List<byte[]> ask(QueryHandler h, byte[] query, Transport transport, InetAddress client) {
    List<byte[]> out = new ArrayList<>();
    h.handle(query, transport, client, out::add);
    return out;
  }

  static Message parse(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer records of every message, in order. */
  static List<Record> records(List<byte[]> messages) {
    List<Record> out = new ArrayList<>();
    for (byte[] m : messages) {
      out.addAll(parse(m).getSection(Section.ANSWER));
    }
    return out;
  }

  /** A record as one line of zone-file text, single spaces, IPv6 addresses in their short form. */
  static String text(Record r) {
    String t = r.toString().replaceAll("\\s+", " ").trim();
    if (r instanceof AAAARecord a) {
      t = t.substring(0, t.lastIndexOf(' ') + 1) + IpAddresses.format(a.getAddress());
    }
    return t;
  }

  static List<String> lines(List<Record> records) {
    return records.stream().map(TransferHelpers::text).toList();
  }

  /** Zone-file text as lines, blank lines and comments dropped, spaces collapsed. */
  static List<String> zoneText(String text) {
    List<String> out = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.trim().replaceAll("\\s+", " ");
      if (!line.isEmpty() && !line.startsWith(";")) {
        out.add(line);
      }
    }
    return out;
  }

  static int rcode(byte[] message) {
    return parse(message).getRcode();
  }

  static void assertRcode(int expected, List<byte[]> answer) {
    assertEquals(1, answer.size(), "one message");
    assertEquals(Rcode.string(expected), Rcode.string(rcode(answer.get(0))));
  }

  static Name name(String s) {
    try {
      return Name.fromString(s);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
