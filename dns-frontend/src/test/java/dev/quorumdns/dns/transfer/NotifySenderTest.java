package dev.quorumdns.dns.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.state.Registry;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * NOTIFY to a fake secondary on loopback, driven by hand with a fake clock: coalesced to one per
 * zone per interval with the latest serial, retried with backoff until answered, given up after
 * five tries.
 */
class NotifySenderTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @TempDir Path dir;
  private Registry registry;
  private DatagramSocket secondary;
  private NotifySender sender;
  private TransferMetrics metrics;
  private long now;

  @BeforeEach
  void setUp() throws IOException {
    // One reverse zone (10.in-addr.arpa) besides mesh.internal: two zones to notify.
    registry = TestRegistries.open(dir, TestRegistries.settings("10.0.0.0/8", "", 60_000));
    secondary = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    secondary.setSoTimeout(200);
    DnsConfig config =
        DnsConfig.defaults(InetAddress.getLoopbackAddress(), 0, "mesh.internal", "n1")
            .withTransfers(
                TransferConfig.disabled()
                    .withNotify(
                        List.of((InetSocketAddress) secondary.getLocalSocketAddress()),
                        Duration.ofSeconds(1)));
    metrics = new TransferMetrics(new SimpleMeterRegistry());
    sender = new NotifySender(config, new Resolver(config, registry.view()), metrics, () -> now);
    sender.open();
  }

  @AfterEach
  void tearDown() {
    sender.close();
    secondary.close();
    registry.close();
  }

  private List<Message> received() throws IOException {
    List<Message> out = new ArrayList<>();
    byte[] buf = new byte[4096];
    while (true) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        secondary.receive(p);
      } catch (SocketTimeoutException e) {
        return out;
      }
      out.add(new Message(Arrays.copyOf(p.getData(), p.getLength())));
    }
  }

  private void answer(Message notify, int rcode) throws IOException {
    Message r = new Message(notify.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setOpcode(Opcode.NOTIFY);
    r.getHeader().setRcode(rcode);
    r.addRecord(notify.getQuestion(), Section.QUESTION);
    byte[] b = r.toWire();
    secondary.send(new DatagramPacket(b, b.length, sender.localAddress()));
  }

  private static long serial(Message notify) {
    return ((SOARecord) notify.getSection(Section.ANSWER).get(0)).getSerial();
  }

  @Test
  void changesAreCoalescedToOneNotifyPerZonePerInterval() throws IOException {
    sender.tick();
    List<Message> first = received();
    assertEquals(2, first.size(), "one per zone");
    for (Message m : first) {
      assertEquals(Opcode.NOTIFY, m.getHeader().getOpcode());
      assertTrue(m.getHeader().getFlag(Flags.AA));
      assertEquals(Type.SOA, m.getQuestion().getType());
      assertEquals(registry.view().revision(), serial(m));
      answer(m, Rcode.NOERROR);
    }
    assertEquals(
        "[mesh.internal., 10.in-addr.arpa.]",
        first.stream().map(m -> m.getQuestion().getName().toString()).toList().toString());
    for (int i = 0; i < 5; i++) {
      TestRegistries.register(registry, "ns", "s" + i, ServiceSpec.ofPorts());
      now += SECOND / 10;
      sender.tick();
    }
    assertEquals(List.of(), received(), "within the interval: nothing more");
    assertEquals(2, metrics.notifyAcknowledgedCount(), "both answered");
    now = SECOND;
    sender.tick();
    List<Message> second = received();
    assertEquals(2, second.size());
    assertEquals(registry.view().revision(), serial(second.get(0)), "the latest serial");
    now += 5 * SECOND;
    sender.tick();
    assertEquals(2, received().size(), "unanswered: retried");
    second.forEach(
        m -> {
          try {
            answer(m, Rcode.NOERROR);
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
    sender.tick();
    now += 60 * SECOND;
    sender.tick();
    assertEquals(List.of(), received(), "answered and nothing new: quiet");
    assertEquals(6, metrics.notifySentCount());
    assertEquals(4, metrics.notifyAcknowledgedCount());
  }

  @Test
  void anUnansweredNotifyIsRetriedWithBackoffThenCountedFailed() throws IOException {
    sender.tick();
    assertEquals(2, received().size(), "the first try");
    for (long at : new long[] {2, 6, 14, 30}) {
      now = at * SECOND - 1;
      sender.tick();
      assertEquals(0, received().size(), "nothing just before second " + at);
      now = at * SECOND;
      sender.tick();
      assertEquals(2, received().size(), "a try at second " + at);
    }
    now = 62 * SECOND;
    sender.tick();
    assertEquals(List.of(), received());
    assertEquals(2, metrics.notifyFailedCount(), "given up, per zone");
    assertEquals(10, metrics.notifySentCount());
    TestRegistries.register(registry, "ns", "late", ServiceSpec.ofPorts());
    sender.tick();
    assertEquals(2, received().size(), "a new change is notified again");
  }
}
