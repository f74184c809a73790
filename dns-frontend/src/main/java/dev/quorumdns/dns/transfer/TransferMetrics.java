package dev.quorumdns.dns.transfer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The zone transfer and NOTIFY meters: {@code quorumdns.dns.transfers{type,result}}, {@code
 * quorumdns.dns.notify{result}} and {@code quorumdns.dns.transfer.secondary.serial{client}}. The
 * client tag is set only for clients that passed the transfer policy, so its values are the
 * operator's secondaries. Thread-safe.
 */
public final class TransferMetrics {
  /** How a transfer request ended. */
  public enum Result {
    /** The whole zone was sent (an AXFR, or an IXFR answered with the whole zone). */
    FULL,
    /** An IXFR answered with the condensed difference. */
    INCREMENTAL,
    /** An IXFR from a secondary that is current: answered with our SOA only. */
    CURRENT,
    /** Not allowed (policy, UDP, or not one of our zones). */
    REFUSED,
    /** The TSIG did not verify. */
    NOTAUTH,
    /**
     * This node could not serve it now: not loaded, too many transfers at once, store unreadable.
     */
    SERVFAIL,
    /** Started, but cut short: the client went away or the store was replaced. */
    ABORTED
  }

  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> transfers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, AtomicLong> serials = new ConcurrentHashMap<>();
  private final Counter notifySent;
  private final Counter notifyAcknowledged;
  private final Counter notifyRejected;
  private final Counter notifyFailed;

  public TransferMetrics(MeterRegistry meters) {
    this.meters = meters;
    notifySent = notify("sent");
    notifyAcknowledged = notify("acknowledged");
    notifyRejected = notify("rejected");
    notifyFailed = notify("failed");
  }

  private Counter notify(String result) {
    return Counter.builder("quorumdns.dns.notify")
        .description(
            "NOTIFY messages: sent (each try), acknowledged, rejected (answered with an error) or failed "
                + "(no answer after every retry)")
        .tag("result", result)
        .register(meters);
  }

  /** Counts one transfer request; {@code type} is {@code axfr} or {@code ixfr}. */
  public void transfer(String type, Result result) {
    String r = result.name().toLowerCase(Locale.ROOT);
    transfers
        .computeIfAbsent(
            type + "/" + r,
            k ->
                Counter.builder("quorumdns.dns.transfers")
                    .description("Zone transfer requests by type (axfr, ixfr) and how they ended")
                    .tag("type", type)
                    .tag("result", r)
                    .register(meters))
        .increment();
  }

  public double transfers(String type, Result result) {
    Counter c = transfers.get(type + "/" + result.name().toLowerCase(Locale.ROOT));
    return c == null ? 0 : c.count();
  }

  /**
   * The zone version an allowed secondary last asked about (its IXFR serial, or the serial an AXFR
   * sent it).
   */
  public void secondarySerial(InetAddress client, long serial) {
    if (client == null) {
      return;
    }
    serials
        .computeIfAbsent(
            client,
            c -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder("quorumdns.dns.transfer.secondary.serial", v, AtomicLong::get)
                  .description(
                      "The zone serial each secondary last asked about: the serial in its IXFR request, or the "
                          + "serial an AXFR sent it")
                  .tag("client", c.getHostAddress())
                  .register(meters);
              return v;
            })
        .set(serial);
  }

  public void notifySent() {
    notifySent.increment();
  }

  public void notifyAcknowledged() {
    notifyAcknowledged.increment();
  }

  public void notifyRejected() {
    notifyRejected.increment();
  }

  public void notifyFailed() {
    notifyFailed.increment();
  }

  public double notifySentCount() {
    return notifySent.count();
  }

  public double notifyAcknowledgedCount() {
    return notifyAcknowledged.count();
  }

  public double notifyFailedCount() {
    return notifyFailed.count();
  }
}
