package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every acknowledged write is present on every node after heal. For each name, the final state must
 * be the effect of a write that no acknowledged write definitely followed (or, if no write was
 * acknowledged, possibly the initial absence); each node's last whole-registry read and its DNS
 * answers in the {@code final} phase must show such a state. Stateless.
 */
public final class FinalReadsChecker implements Checker {
  /** A state a name may legitimately end in: absent, or present with spec and (if known) VIP. */
  private record Outcome(boolean present, String spec, String vip, Operation cause) {
    boolean matches(RegistryEntry entry) {
      if (entry == null) {
        return !present;
      }
      return present
          && Objects.equals(spec, entry.spec())
          && (vip == null || vip.equals(entry.vip()));
    }

    boolean matchesDns(Operation answer) {
      if (NameOps.isNxdomain(answer)) {
        return !present;
      }
      return present && (vip == null || vip.equals(answer.vip()));
    }

    @Override
    public String toString() {
      return present ? "present(" + spec + ", vip=" + (vip == null ? "?" : vip) + ")" : "absent";
    }
  }

  @Override
  public String name() {
    return "final-reads";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long finalStart = history.phaseNanos("final").orElse(Long.MAX_VALUE);
    Map<String, Operation> lastRead = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    List<Operation> finalDns = new ArrayList<>();
    for (Operation op : history.operations()) {
      if (op.startNanos() < finalStart) {
        continue;
      }
      if (op.f() == OpKind.READ_ALL) {
        if (op.isOk() && op.completion().registry() != null) {
          lastRead.put(op.node(), op);
          unreadable.remove(op.node());
        } else if (!lastRead.containsKey(op.node()) && !unreadable.contains(op.node())) {
          unreadable.add(op.node());
        }
      } else if (op.f() == OpKind.RESOLVE_DNS && op.isOk()) {
        finalDns.add(op);
      }
    }
    if (finalStart == Long.MAX_VALUE || lastRead.isEmpty()) {
      return out.unknown("no final whole-registry reads in the history").build();
    }
    if (!unreadable.isEmpty()) {
      out.unknown("no successful final read from " + unreadable);
    }
    Map<String, List<Outcome>> expected = expected(history);
    long checked = 0;
    for (Map.Entry<String, List<Outcome>> e : expected.entrySet()) {
      String name = e.getKey();
      List<Outcome> outcomes = e.getValue();
      for (Operation read : lastRead.values()) {
        checked++;
        RegistryEntry seen = read.completion().registry().get(name);
        if (outcomes.stream().noneMatch(o -> o.matches(seen))) {
          out.anomaly(
              anomaly(
                  name,
                  read,
                  seen == null ? "absent" : "present(" + seen.spec() + ", vip=" + seen.vip() + ")",
                  outcomes));
        }
      }
    }
    for (Operation answer : finalDns) {
      List<Outcome> outcomes = expected.get(answer.name());
      if (outcomes != null && outcomes.stream().noneMatch(o -> o.matchesDns(answer))) {
        out.anomaly(anomaly(answer.name(), answer, answer.brief(), outcomes));
      }
    }
    return out.judged(checked + finalDns.size())
        .stat("names", expected.size())
        .stat("nodesRead", lastRead.size())
        .stat("comparisons", checked)
        .stat("finalDnsAnswers", finalDns.size())
        .build();
  }

  private static Anomaly anomaly(String name, Operation read, String seen, List<Outcome> outcomes) {
    List<Long> ops = new ArrayList<>();
    ops.add(read.completion().index());
    outcomes.stream()
        .map(Outcome::cause)
        .filter(Objects::nonNull)
        .forEach(c -> ops.add(c.invoke().index()));
    boolean lost = outcomes.stream().anyMatch(o -> o.cause() != null && o.cause().isOk());
    return new Anomaly(
        lost ? "lost-write" : "unexpected-final-state",
        name,
        read.node(),
        "node " + read.node() + " ends with " + seen + " but the history allows only " + outcomes,
        ops);
  }

  /** For each written name, the states it may end in. */
  private static Map<String, List<Outcome>> expected(History history) {
    Map<String, List<Operation>> writes =
        history.byName(EnumSet.of(OpKind.REGISTER, OpKind.UPDATE, OpKind.DELETE));
    Map<String, List<Outcome>> out = new TreeMap<>();
    writes.forEach(
        (name, ops) -> {
          List<Operation> live = ops.stream().filter(op -> !op.isFail()).toList();
          List<Operation> acknowledged = live.stream().filter(Operation::isOk).toList();
          List<Outcome> outcomes = new ArrayList<>();
          if (acknowledged.isEmpty()) {
            outcomes.add(new Outcome(false, null, null, null));
          }
          for (Operation w : live) {
            boolean superseded = acknowledged.stream().anyMatch(y -> w.precedes(y));
            if (!superseded) {
              outcomes.add(
                  w.f() == OpKind.DELETE
                      ? new Outcome(false, null, null, w)
                      : new Outcome(true, w.invoke().value(), w.isOk() ? w.vip() : null, w));
            }
          }
          out.put(name, outcomes);
        });
    return out;
  }
}
