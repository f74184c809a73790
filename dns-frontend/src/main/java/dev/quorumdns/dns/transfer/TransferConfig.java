package dev.quorumdns.dns.transfer;

import dev.quorumdns.dns.AddressRanges;
import dev.quorumdns.registry.ValidationException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Who may transfer our zones, and whom we notify of changes (docs/security/dns.md). Immutable and
 * thread-safe; validated when built, with errors naming the node's configuration key.
 *
 * <p>A transfer is allowed when the client's TSIG, if any, verifies; when {@code requireTsig} is
 * set, it is signed; and when its address is in {@code allow} or, with {@code allow} empty, it is
 * signed with one of the {@code keys}. With neither addresses nor keys, every transfer is refused.
 *
 * @param allow client addresses allowed to transfer ({@code transfer-allow}); empty by default
 * @param keys TSIG keys ({@code tsig-key-file}); empty by default
 * @param requireTsig whether a transfer must be signed with one of {@code keys} even from an
 *     allowed address ({@code transfer-require-tsig}; true by default when keys are configured)
 * @param maxConcurrent transfers served at once by this node; more are answered SERVFAIL ({@code
 *     transfer-concurrency})
 * @param notifyTargets secondaries sent a NOTIFY when the zones change ({@code notify}); empty by
 *     default
 * @param notifyInterval at most one NOTIFY per zone per secondary this often ({@code
 *     notify-interval})
 */
public record TransferConfig(
    AddressRanges allow,
    List<TsigKey> keys,
    boolean requireTsig,
    int maxConcurrent,
    List<InetSocketAddress> notifyTargets,
    Duration notifyInterval) {
  public static final int DEFAULT_MAX_CONCURRENT = 10;
  public static final Duration DEFAULT_NOTIFY_INTERVAL = Duration.ofSeconds(1);

  public TransferConfig {
    if (allow == null) {
      throw new ValidationException(
          "transfer-allow", "is required (expected: CIDR blocks, or none)");
    }
    keys = keys == null ? List.of() : List.copyOf(keys);
    if (requireTsig && keys.isEmpty()) {
      throw new ValidationException(
          "transfer-require-tsig",
          "is true but no tsig-key-file is set (expected: "
              + "a key file, or transfer-require-tsig false)");
    }
    if (maxConcurrent < 1 || maxConcurrent > 1000) {
      throw new ValidationException("transfer-concurrency", maxConcurrent + " (expected: 1..1000)");
    }
    notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
    for (InetSocketAddress a : notifyTargets) {
      if (a == null || a.isUnresolved() || a.getPort() == 0) {
        throw new ValidationException(
            "notify", a + " (expected: an IP address and a port 1..65535)");
      }
    }
    if (notifyInterval == null
        || notifyInterval.compareTo(Duration.ofMillis(100)) < 0
        || notifyInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new ValidationException(
          "notify-interval", notifyInterval + " (expected: 100 ms .. 1 h)");
    }
  }

  /** No transfers, no NOTIFY: the default. */
  public static TransferConfig disabled() {
    return new TransferConfig(
        AddressRanges.none(),
        List.of(),
        false,
        DEFAULT_MAX_CONCURRENT,
        List.of(),
        DEFAULT_NOTIFY_INTERVAL);
  }

  /** True if some client could be allowed a transfer. */
  public boolean enabled() {
    return !allow.isEmpty() || !keys.isEmpty();
  }

  /**
   * Whether a client may transfer: {@code inAllow} says whether its address is in {@code allow},
   * {@code signed} whether its request carried a TSIG that verified.
   */
  public boolean permits(boolean inAllow, boolean signed) {
    if (requireTsig && !signed) {
      return false;
    }
    return inAllow || (allow.isEmpty() && signed);
  }

  public TransferConfig withNotify(List<InetSocketAddress> targets, Duration interval) {
    return new TransferConfig(allow, keys, requireTsig, maxConcurrent, targets, interval);
  }
}
