package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.FaultInterval;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges the lease workload ({@code lease-*} calls, the watchers' lines and the final reads) by
 * what the lease contract promises, on the client's monotonic clock:
 *
 * <ul>
 *   <li><b>No renewed lease expired.</b> An acknowledged grant or keepalive invoked at t renews the
 *       lease at some instant after t (the leader's deadline is then at least t + ttl), and the
 *       leader never acknowledges a keepalive of a lease whose expiry it has proposed; a leader
 *       change only adds time (a fresh full TTL). So any sign that the lease is gone (a keepalive
 *       or lease read answering 404, a watch line or a final read showing the service without its
 *       leased endpoint) seen by time u, with no revocation invoked before, is an anomaly if some
 *       acknowledged renewal was invoked after u - ttl (+ a small slack). Keepalives that failed
 *       (503 during a quorum loss) or ended unknown are not acknowledged and promise nothing; they
 *       only leave the lease less protected.
 *   <li><b>Every abandoned lease expired.</b> Abandoned (left unrenewed or revoked) leases must be
 *       gone: a lease read after an acknowledged revocation must answer 404; a lease read that
 *       still finds an unrenewed lease more than ttl + {@code bound} after its last renewal
 *       answered, with no fault in between (a fault may change the leader, which grants a fresh
 *       TTL), is an anomaly; and every node's final whole-registry read, taken more than ttl +
 *       {@code bound} after the last renewal and the last fault's end, must show the service (with
 *       the VIP it was registered with) without the leased endpoint.
 * </ul>
 *
 * <p>It cannot see an expiry that no probe, watcher or final read observed (a lease that expired
 * early and was re-granted is a different lease), nor leader changes without a fault (a slow
 * machine can still change leaders; {@code bound} absorbs one). The leased endpoint is the
 * service's endpoint whose address starts with {@code 10.8.} (the lease workload's convention).
 * Stateless.
 */
public final class LeaseChecker implements Checker {
  static final String LEASED_PREFIX = "10.8.";
  private static final long SLACK_NANOS = Duration.ofMillis(250).toNanos();

  private final Duration bound;

  /**
   * @param bound beyond ttl: an election, a tick and a commit (and a loaded machine)
   */
  public LeaseChecker(Duration bound) {
    this.bound = bound;
  }

  private static final class Lease {
    final String id;
    long ttlNanos;
    String service;
    String vip;
    boolean registered;
    final List<Long> renewedAt = new ArrayList<>(); // invoke times of acknowledged renewals
    long lastRenewalAnswered = -1; // answer of the last renewal that may have taken effect
    long revokeInvoked = Long.MAX_VALUE;
    long revokeAcked = Long.MAX_VALUE;
    boolean abandoned;
    boolean goneSeen;

    Lease(String id) {
      this.id = id;
    }

    long maxRenewal() {
      return renewedAt.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
    }
  }

  @Override
  public String name() {
    return "lease";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder result = new CheckResult.Builder(name());
    Map<String, Lease> leases = new LinkedHashMap<>();
    Map<String, Lease> byService = new HashMap<>();
    Map<Integer, Op> open = new HashMap<>();
    Map<String, Op> finalReads = new HashMap<>();
    List<Op> watchLines = new ArrayList<>();
    List<Op[]> reads = new ArrayList<>();
    for (Op op : history.ops()) {
      OpKind f = op.f();
      if (f == OpKind.READ_ALL && op.isOk() && op.registry() != null) {
        finalReads.put(op.node(), op);
      } else if (f == OpKind.WATCH_EVENT) {
        watchLines.add(op);
      } else if (f == OpKind.LEASE_ABANDON) {
        Lease l = leases.get(op.value());
        if (l != null) {
          l.abandoned = true;
        }
      } else if (f.ordinal() >= OpKind.LEASE_GRANT.ordinal() && f != OpKind.LEASE_ABANDON) {
        if (op.isInvoke()) {
          open.put(op.process(), op);
          continue;
        }
        Op invoke = open.remove(op.process());
        if (invoke == null) {
          continue;
        }
        if (f == OpKind.LEASE_GRANT) {
          if (op.isOk()) {
            Lease l = new Lease(op.value());
            l.ttlNanos = Duration.ofMillis(Long.parseLong(invoke.value())).toNanos();
            l.renewedAt.add(invoke.monoNanos());
            l.lastRenewalAnswered = op.monoNanos();
            leases.put(l.id, l);
          }
          continue;
        }
        Lease l = leases.get(invoke.value());
        if (l == null) {
          continue;
        }
        switch (f) {
          case LEASE_REGISTER -> {
            l.service = invoke.name();
            byService.put(l.service, l);
            if (op.isOk()) {
              l.registered = true;
              l.vip = op.vip();
            }
          }
          case LEASE_KEEPALIVE -> {
            if (op.isOk() && "renewed".equals(op.result())) {
              l.renewedAt.add(invoke.monoNanos());
              l.lastRenewalAnswered = op.monoNanos();
            } else if (op.type() == OpType.INFO) {
              // it may have renewed the lease: the deadline may be as late as its answer
              l.lastRenewalAnswered = Math.max(l.lastRenewalAnswered, op.monoNanos());
            } else if (op.isOk() && "not_found".equals(op.result())) {
              gone(result, l, op, "a keepalive answered 404");
            }
          }
          case LEASE_READ -> {
            reads.add(new Op[] {invoke, op});
            if (op.isOk() && "not_found".equals(op.result())) {
              gone(result, l, op, "a lease read answered 404");
            }
          }
          case LEASE_REVOKE -> {
            l.revokeInvoked = Math.min(l.revokeInvoked, invoke.monoNanos());
            l.abandoned = true;
            if (op.isOk()) {
              l.revokeAcked = Math.min(l.revokeAcked, op.monoNanos());
            }
          }
          default -> {}
        }
      }
    }
    for (Op line : watchLines) {
      Lease l = byService.get(line.name());
      if (l != null && l.registered && "put".equals(line.result()) && !hasLeased(line.value())) {
        gone(result, l, line, "a watcher on " + line.node() + " saw its endpoint leave");
      }
    }
    List<FaultInterval> faults = history.faults();
    long lastFaultEnd =
        faults.stream()
            .mapToLong(FaultInterval::endNanos)
            .filter(e -> e != Long.MAX_VALUE)
            .max()
            .orElse(0);
    // Abandoned leases: probes.
    for (Op[] r : reads) {
      Lease l = leases.get(r[0].value());
      if (!r[1].isOk() || !"found".equals(r[1].result()) || l == null) {
        continue;
      }
      long at = r[0].monoNanos();
      if (at > l.revokeAcked) {
        anomaly(
            result,
            "lease-revoked-alive",
            l,
            r[1],
            "lease " + l.id + " still found after its revocation was acknowledged");
      } else if (l.abandoned
          && l.revokeInvoked == Long.MAX_VALUE
          && at > l.lastRenewalAnswered + l.ttlNanos + bound.toNanos()
          && faults.stream().noneMatch(fi -> fi.overlaps(l.lastRenewalAnswered, at))) {
        anomaly(
            result,
            "lease-outlived-ttl",
            l,
            r[1],
            "abandoned lease "
                + l.id
                + " (ttl "
                + l.ttlNanos / 1_000_000
                + " ms) still found "
                + (at - l.lastRenewalAnswered) / 1_000_000
                + " ms after its last renewal, no fault"
                + " in between");
      }
    }
    // Final reads: the services stay; renewed leases keep their endpoint, ended ones lost it.
    long renewed = 0;
    long keptToEnd = 0;
    long abandonedJudged = 0;
    long abandonedExpired = 0;
    for (Lease l : leases.values()) {
      if (l.renewedAt.size() > 1) {
        renewed++;
      }
      if (l.service == null) {
        continue;
      }
      boolean judgedAbandoned = false;
      for (Op read : finalReads.values()) {
        RegistryEntry e = read.registry().get(l.service);
        if (e == null) {
          if (l.registered) {
            anomaly(
                result,
                "lease-service-lost",
                l,
                read,
                l.service
                    + " is missing from "
                    + read.node()
                    + "'s final read: only the"
                    + " endpoint leaves with the lease");
          }
          continue;
        }
        if (l.registered && l.vip != null && !l.vip.equals(e.vip())) {
          anomaly(
              result,
              "lease-vip-changed",
              l,
              read,
              l.service
                  + " registered with VIP "
                  + l.vip
                  + ", final read on "
                  + read.node()
                  + " has "
                  + e.vip());
        }
        if (!hasLeased(e.spec())) {
          if (l.registered) {
            gone(result, l, read, "the final read on " + read.node() + " lacks its endpoint");
          }
        } else if (l.abandoned || l.goneSeen) {
          long since = Math.max(l.lastRenewalAnswered, lastFaultEnd);
          if (read.monoNanos() > since + l.ttlNanos + bound.toNanos()) {
            judgedAbandoned = true;
            anomaly(
                result,
                "lease-not-expired",
                l,
                read,
                "lease "
                    + l.id
                    + " ended (abandoned or revoked) yet "
                    + l.service
                    + " still has its endpoint in "
                    + read.node()
                    + "'s final read");
          }
        }
      }
      if (l.maxRenewal() + l.ttlNanos
          > finalReads.values().stream().mapToLong(Op::monoNanos).max().orElse(Long.MAX_VALUE)) {
        keptToEnd++;
      }
      if (l.abandoned) {
        long since = Math.max(l.lastRenewalAnswered, lastFaultEnd);
        boolean judged =
            finalReads.values().stream()
                .anyMatch(r -> r.monoNanos() > since + l.ttlNanos + bound.toNanos());
        if (judged || judgedAbandoned) {
          abandonedJudged++;
          if (!judgedAbandoned) {
            abandonedExpired++;
          }
        }
      }
    }
    if (finalReads.isEmpty() && !leases.isEmpty()) {
      result.unknown("no final whole-registry read to judge the leases' endpoints");
    }
    return result
        .stat("leases", leases.size())
        .stat("renewed", renewed)
        .stat("renewed-through-final-reads", keptToEnd)
        .stat("abandoned", leases.values().stream().filter(l -> l.abandoned).count())
        .stat("abandoned-judged-at-final", abandonedJudged)
        .stat("abandoned-expired", abandonedExpired)
        .stat("gone-observations", leases.values().stream().filter(l -> l.goneSeen).count())
        .judged(renewed + abandonedJudged)
        .build();
  }

  /** A sign at {@code seen} (completion or record time) that the lease has ended. */
  private void gone(CheckResult.Builder result, Lease l, Op seen, String how) {
    l.goneSeen = true;
    long at = seen.monoNanos();
    if (l.revokeInvoked < at) {
      return;
    }
    long protectedUntil = l.maxRenewal() + l.ttlNanos - SLACK_NANOS;
    if (at < protectedUntil) {
      anomaly(
          result,
          "lease-expired-early",
          l,
          seen,
          "renewed lease "
              + l.id
              + " (ttl "
              + l.ttlNanos / 1_000_000
              + " ms) gone: "
              + how
              + ", "
              + (protectedUntil + SLACK_NANOS - at) / 1_000_000
              + " ms before the ttl of its last acknowledged renewal ran out");
    }
  }

  private static boolean hasLeased(String spec) {
    if (spec == null) {
      return false;
    }
    for (String e : spec.split(",")) {
      if (e.startsWith(LEASED_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  private static void anomaly(
      CheckResult.Builder result, String type, Lease l, Op op, String message) {
    result.anomaly(new Anomaly(type, l.service, op.node(), message, List.of(op.index())));
  }
}
