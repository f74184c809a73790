package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Views of a history in which AAAA or PTR answers take the place of A answers, so the DNS checkers
 * written for A records ({@link VipStabilityChecker}, {@link VipUniquenessChecker}, {@link
 * DnsTimeTravelChecker}) judge them unchanged:
 *
 * <ul>
 *   <li>{@link #aaaa}: AAAA answers become A answers with the IPv6 address, and every registry
 *       operation shows its {@code vip6} in place of its IPv4 VIP;
 *   <li>{@link #ptr4} / {@link #ptr6}: a PTR answer naming service N for address v becomes an A (or
 *       AAAA) answer for N with v (v → N means N holds v on that node); PTR NXDOMAIN answers and
 *       PTR answers outside the zone are left out (they name no service).
 * </ul>
 *
 * Indices and times are kept, so real-time order is the history's. Stateless.
 */
final class DnsFamilyView {
  private DnsFamilyView() {}

  static History aaaa(History h) {
    return view(h, true, false);
  }

  static History ptr4(History h) {
    return view(h, false, true);
  }

  static History ptr6(History h) {
    return view(h, true, true);
  }

  /** A checker that judges one view under its own name, e.g. {@code aaaa:vip-stable}. */
  static Checker judged(String prefix, Function<History, History> view, Checker inner) {
    return new Checker() {
      @Override
      public String name() {
        return prefix + ":" + inner.name();
      }

      @Override
      public CheckResult check(History history) {
        CheckResult r = inner.check(view.apply(history));
        return new CheckResult(
            name(),
            r.validity(),
            r.anomalyCount(),
            r.anomalies(),
            r.unknownReason(),
            r.stats(),
            r.judged());
      }
    };
  }

  private static History view(History h, boolean six, boolean ptr) {
    List<Op> out = new ArrayList<>();
    for (Op op : h.ops()) {
      OpKind f = op.f();
      if (f == OpKind.RESOLVE_DNS || f == OpKind.RESOLVE_AAAA) {
        if (!ptr && (f == OpKind.RESOLVE_AAAA) == six) {
          out.add(six ? asA(op, op.name(), op.vip6()) : op);
        }
      } else if (f == OpKind.RESOLVE_PTR) {
        continue; // added below, as A answers, when they name a service
      } else if (f.isClientOp() && six) {
        out.add(withVip(op, op.vip6()));
      } else {
        out.add(op);
      }
    }
    if (ptr) {
      out = withPtrAnswers(h, out, six);
    }
    out.sort((a, b) -> Long.compare(a.index(), b.index()));
    return new History(out);
  }

  /** Adds each PTR query that named a service as an A query for that name. */
  private static List<Op> withPtrAnswers(History h, List<Op> out, boolean six) {
    List<Op> all = new ArrayList<>(out);
    for (var op : h.operations()) {
      if (op.f() != OpKind.RESOLVE_PTR || !op.isOk()) {
        continue;
      }
      String address = op.invoke().value();
      String named = op.completion().value();
      if (address == null
          || (address.indexOf(':') >= 0) != six
          || !"NOERROR".equals(op.result())
          || named == null
          || named.indexOf('/') <= 0) {
        continue;
      }
      all.add(asA(op.invoke(), named, null));
      all.add(asA(op.completion(), named, address));
    }
    return all;
  }

  private static Op asA(Op op, String name, String address) {
    return new Op(
        op.index(),
        op.type(),
        op.process(),
        OpKind.RESOLVE_DNS,
        op.node(),
        name,
        null,
        address,
        op.result(),
        op.revision(),
        null,
        op.nodes(),
        op.error(),
        op.wallMillis(),
        op.monoNanos(),
        op.appliedAt(),
        null);
  }

  private static Op withVip(Op op, String vip) {
    return new Op(
        op.index(),
        op.type(),
        op.process(),
        op.f(),
        op.node(),
        op.name(),
        op.value(),
        vip,
        op.result(),
        op.revision(),
        null,
        op.nodes(),
        op.error(),
        op.wallMillis(),
        op.monoNanos(),
        op.appliedAt(),
        null);
  }
}
