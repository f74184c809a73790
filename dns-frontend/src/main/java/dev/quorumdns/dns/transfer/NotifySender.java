package dev.quorumdns.dns.transfer;

import dev.quorumdns.dns.DnsConfig;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.lookup.ZoneContents;
import dev.quorumdns.dns.lookup.Zones;
import dev.quorumdns.registry.RegistryView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Sends NOTIFY (RFC 1996) for each of our zones to each configured secondary when this node's
 * replica reaches a new revision: coalesced (at most one per zone and secondary per {@code
 * notify-interval}, carrying the latest serial), retried with backoff until the secondary answers
 * or {@value #TRIES} tries have gone unanswered.
 *
 * <p>Every node sends, not just the leader: a node notifies once <em>it</em> has applied the
 * change, so the secondary's SOA query that follows (usually to the node that notified) finds the
 * new serial; it needs no leader, so changes applied before a leader loss still reach the
 * secondaries; and the duplicates cost a few datagrams that secondaries drop (a NOTIFY for a serial
 * they have does nothing). NOTIFY is unsigned: it only makes a secondary check our SOA over its
 * own, signed, query.
 *
 * <p>Thread-safe: {@link #start} and {@link #close} once each; the work runs on one thread of its
 * own.
 */
public final class NotifySender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotifySender.class);
  static final int TRIES = 5;
  static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final DnsConfig config;
  private final RegistryView view;
  private final Resolver resolver;
  private final ZoneContents contents;
  private final TransferMetrics metrics;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final Random ids = new SecureRandom();
  private final Map<InetSocketAddress, Map<Name, Peer>> peers = new LinkedHashMap<>();
  private final Map<InetSocketAddress, Boolean> failing = new HashMap<>();
  private final String logPrefix;
  private ScheduledExecutorService scheduler;
  private DatagramChannel channel;

  /** One zone at one secondary: what it was last told, and the NOTIFY waiting for its answer. */
  private static final class Peer {
    long notifiedRevision = -1;
    long lastSentAt = Long.MIN_VALUE;
    int id = -1;
    byte[] pending;
    int tries;
    long retryAt;
  }

  public NotifySender(
      DnsConfig config, Resolver resolver, TransferMetrics metrics, LongSupplier nanoTime) {
    this.config = config;
    this.view = resolver.view();
    this.resolver = resolver;
    this.contents = new ZoneContents(config);
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    this.intervalNanos = config.transfers().notifyInterval().toNanos();
    for (InetSocketAddress target : config.transfers().notifyTargets()) {
      peers.put(target, new LinkedHashMap<>());
    }
    this.logPrefix = "[" + config.nodeId() + "] ";
  }

  /**
   * Opens the socket (on the DNS bind address, an ephemeral port) and starts checking for new
   * revisions.
   */
  public synchronized void start() {
    open();
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dns-notify-" + config.nodeId());
              t.setDaemon(true);
              return t;
            });
    long tick = Math.max(10, Math.min(100, config.transfers().notifyInterval().toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::tickQuietly, 0, tick, TimeUnit.MILLISECONDS);
  }

  /** Opens the socket only; {@link #tick} then does the work (tests). */
  synchronized void open() {
    try {
      channel = DatagramChannel.open();
      channel.bind(new InetSocketAddress(config.bindAddress(), 0));
      channel.configureBlocking(false);
    } catch (IOException e) {
      throw new UncheckedIOException(
          logPrefix
              + "cannot open the NOTIFY socket on "
              + config.bindAddress().getHostAddress()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The address NOTIFY messages leave from (after {@link #start}). */
  public synchronized InetSocketAddress localAddress() throws IOException {
    return (InetSocketAddress) channel.getLocalAddress();
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException | IOException e) {
      LOG.warn("{}sending NOTIFY failed: {}", logPrefix, e.toString());
    }
  }

  /**
   * Reads answers, retries what is due, and notifies of a new revision. Package-private for tests.
   */
  synchronized void tick() throws IOException {
    if (channel == null) {
      return;
    }
    receive();
    long now = nanoTime.getAsLong();
    if (!view.isLoaded()) {
      return;
    }
    long revision = view.revision();
    Zones zones = resolver.zones();
    List<Name> apexes = new ArrayList<>();
    apexes.add(zones.forward());
    apexes.addAll(zones.reverseZones());
    for (Map.Entry<InetSocketAddress, Map<Name, Peer>> target : peers.entrySet()) {
      for (Name apex : apexes) {
        Peer p = target.getValue().computeIfAbsent(apex, a -> new Peer());
        boolean due = p.lastSentAt == Long.MIN_VALUE || now - p.lastSentAt >= intervalNanos;
        if (p.notifiedRevision != revision && due) {
          p.id = ids.nextInt(0x10000);
          p.pending = notify(p.id, apex, revision);
          p.notifiedRevision = revision;
          p.lastSentAt = now;
          p.tries = 0;
          send(target.getKey(), p, now);
        } else if (p.pending != null && now - p.retryAt >= 0) {
          if (p.tries >= TRIES) {
            p.pending = null;
            metrics.notifyFailed();
            if (failing.put(target.getKey(), true) == null) {
              LOG.warn(
                  logPrefix
                      + "NOTIFY for "
                      + apex
                      + " to "
                      + target.getKey()
                      + " unanswered after "
                      + TRIES
                      + " tries; notifying it again at the next change");
            }
          } else {
            send(target.getKey(), p, now);
          }
        }
      }
    }
  }

  private void send(InetSocketAddress target, Peer p, long now) throws IOException {
    channel.send(ByteBuffer.wrap(p.pending), target);
    metrics.notifySent();
    p.retryAt = now + (FIRST_RETRY_NANOS << p.tries);
    p.tries++;
  }

  private byte[] notify(int id, Name apex, long revision) {
    Message m = new Message(id);
    m.getHeader().setOpcode(Opcode.NOTIFY);
    m.getHeader().setFlag(Flags.AA);
    m.addRecord(Record.newRecord(apex, Type.SOA, DClass.IN), Section.QUESTION);
    m.addRecord(contents.soa(apex, revision), Section.ANSWER);
    return m.toWire();
  }

  private void receive() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (true) {
      buf.clear();
      SocketAddress from = channel.receive(buf);
      if (from == null) {
        return;
      }
      byte[] bytes = new byte[buf.flip().remaining()];
      buf.get(bytes);
      Message m;
      try {
        m = new Message(bytes);
      } catch (IOException malformed) {
        continue;
      }
      Map<Name, Peer> zones = peers.get(from);
      Record q = m.getQuestion();
      if (zones == null
          || q == null
          || !m.getHeader().getFlag(Flags.QR)
          || m.getHeader().getOpcode() != Opcode.NOTIFY) {
        continue;
      }
      Peer p = zones.get(q.getName().canonicalize());
      if (p == null || p.pending == null || p.id != m.getHeader().getID()) {
        continue;
      }
      p.pending = null;
      if (m.getRcode() == Rcode.NOERROR) {
        metrics.notifyAcknowledged();
        if (failing.remove(from) != null) {
          LOG.info("{}NOTIFY to {} answered again", logPrefix, from);
        }
      } else {
        metrics.notifyRejected();
        LOG.atDebug().log(
            () ->
                logPrefix
                    + "NOTIFY for "
                    + q.getName()
                    + " to "
                    + from
                    + " answered "
                    + Rcode.string(m.getRcode()));
      }
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.atDebug().log(() -> logPrefix + "closing the NOTIFY socket: " + e);
      }
      channel = null;
    }
  }
}
