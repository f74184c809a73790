package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * No two live names share a VIP. Proven three ways:
 *
 * <ul>
 *   <li>in one whole-registry read, no VIP appears twice;
 *   <li>through linearizable observations (acknowledged PUTs, found reads, deletes that returned
 *       the service): between two observations of name A with VIP v and no possible delete of A in
 *       between, A held v throughout; no other name may be observed with v in that span;
 *   <li>through one node's DNS answers: a name never deleted held its VIP on that node between two
 *       answers; no other name may be answered with that VIP there in between.
 * </ul>
 *
 * Stateless.
 */
public final class VipUniquenessChecker implements Checker {
  /** A name observed with a VIP at some instant within [start, end] (event indices). */
  private record Sighting(String name, String vip, long start, long end, Operation op) {}

  /** A name that held a VIP throughout [from, to]. */
  private record Tenure(
      String name, String vip, long from, long to, Operation first, Operation last) {}

  @Override
  public String name() {
    return "vip-unique";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    int snapshots = snapshots(history, out);
    Map<String, NameOps> names = NameOps.of(history);
    Map<String, List<Sighting>> scopes = new TreeMap<>();
    Map<String, List<Tenure>> tenures = new TreeMap<>();
    linearizableScope(history, names, scopes, tenures);
    dnsScopes(names, scopes, tenures);
    scopes.forEach(
        (scope, sightings) ->
            compare(scope, sightings, tenures.getOrDefault(scope, List.of()), out));
    long sightings = scopes.values().stream().mapToLong(List::size).sum();
    return out.judged(snapshots + sightings)
        .stat("registrySnapshots", snapshots)
        .stat("scopes", scopes.size())
        .stat("sightings", sightings)
        .build();
  }

  private static int snapshots(History history, CheckResult.Builder out) {
    int count = 0;
    for (Operation read : history.operations()) {
      if (read.f() != OpKind.READ_ALL || !read.isOk() || read.completion().registry() == null) {
        continue;
      }
      count++;
      Map<String, String> owner = new HashMap<>();
      for (Map.Entry<String, RegistryEntry> e : read.completion().registry().entrySet()) {
        String previous = owner.putIfAbsent(e.getValue().vip(), e.getKey());
        if (previous != null) {
          out.anomaly(
              new Anomaly(
                  "shared-vip",
                  e.getKey(),
                  read.node(),
                  previous
                      + " and "
                      + e.getKey()
                      + " both hold "
                      + e.getValue().vip()
                      + " in "
                      + read.brief(),
                  List.of(read.completion().index())));
        }
      }
    }
    return count;
  }

  private static void linearizableScope(
      History history,
      Map<String, NameOps> names,
      Map<String, List<Sighting>> scopes,
      Map<String, List<Tenure>> tenures) {
    Map<String, List<Operation>> byName =
        history.byName(EnumSet.of(OpKind.REGISTER, OpKind.UPDATE, OpKind.DELETE, OpKind.READ_API));
    List<Sighting> sightings = scopes.computeIfAbsent("api", k -> new ArrayList<>());
    List<Tenure> held = tenures.computeIfAbsent("api", k -> new ArrayList<>());
    byName.forEach(
        (name, ops) -> {
          NameOps nameOps = names.get(name);
          Operation previous = null;
          for (Operation op : ops) {
            if (!op.isOk() || op.vip() == null) {
              continue;
            }
            sightings.add(new Sighting(name, op.vip(), op.start(), op.end(), op));
            if (previous != null
                && previous.f() != OpKind.DELETE
                && previous.vip().equals(op.vip())
                && previous.end() < op.start()
                && !deleteBetween(nameOps, previous, op)) {
              held.add(new Tenure(name, op.vip(), previous.end(), op.start(), previous, op));
            }
            previous = op;
          }
        });
  }

  private static boolean deleteBetween(NameOps ops, Operation first, Operation last) {
    if (ops == null) {
      return false;
    }
    for (Operation d : ops.deletes()) {
      if (d != last && d.end() > first.start() && d.start() < last.end()) {
        return true;
      }
    }
    return false;
  }

  private static void dnsScopes(
      Map<String, NameOps> names,
      Map<String, List<Sighting>> scopes,
      Map<String, List<Tenure>> tenures) {
    for (NameOps ops : names.values()) {
      Map<String, Operation> previousAt = new HashMap<>();
      for (Operation answer : ops.answers()) {
        if (!NameOps.isAddress(answer)) {
          continue;
        }
        String scope = "dns@" + answer.node();
        scopes
            .computeIfAbsent(scope, k -> new ArrayList<>())
            .add(new Sighting(ops.name(), answer.vip(), answer.start(), answer.end(), answer));
        Operation previous = previousAt.put(answer.node(), answer);
        boolean neverDeletedYet = ops.deletes().stream().noneMatch(d -> d.start() < answer.end());
        if (previous != null
            && neverDeletedYet
            && previous.vip().equals(answer.vip())
            && previous.end() < answer.start()) {
          tenures
              .computeIfAbsent(scope, k -> new ArrayList<>())
              .add(
                  new Tenure(
                      ops.name(), answer.vip(), previous.end(), answer.start(), previous, answer));
        }
      }
    }
  }

  /** Past this many anomalies the evidence is overwhelming; stop the quadratic comparisons. */
  private static final long ENOUGH = 10L * CheckResult.MAX_LISTED;

  private static void compare(
      String scope, List<Sighting> sightings, List<Tenure> tenures, CheckResult.Builder out) {
    Map<String, List<Tenure>> tenuresByVip = new HashMap<>();
    tenures.forEach(t -> tenuresByVip.computeIfAbsent(t.vip(), k -> new ArrayList<>()).add(t));
    for (Sighting s : sightings) {
      if (out.anomalyCount() > ENOUGH) {
        return;
      }
      for (Tenure t : tenuresByVip.getOrDefault(s.vip(), List.of())) {
        if (!t.name().equals(s.name()) && s.start() > t.from() && s.end() < t.to()) {
          out.anomaly(conflict(scope, t, s.name(), s.op()));
        }
      }
    }
    tenuresByVip
        .values()
        .forEach(
            list -> {
              for (int i = 0; i < list.size() && out.anomalyCount() <= ENOUGH; i++) {
                for (int j = i + 1; j < list.size(); j++) {
                  Tenure a = list.get(i);
                  Tenure b = list.get(j);
                  if (!a.name().equals(b.name()) && a.from() < b.to() && b.from() < a.to()) {
                    out.anomaly(conflict(scope, a, b.name(), b.last()));
                  }
                }
              }
            });
  }

  private static Anomaly conflict(String scope, Tenure t, String otherName, Operation other) {
    return new Anomaly(
        "shared-vip",
        t.name(),
        other.node(),
        "["
            + scope
            + "] "
            + t.name()
            + " held "
            + t.vip()
            + " from "
            + t.first().brief()
            + " to "
            + t.last().brief()
            + ", yet "
            + otherName
            + " had it: "
            + other.brief(),
        List.of(t.first().invoke().index(), other.invoke().index(), t.last().invoke().index()));
  }
}
