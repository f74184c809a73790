package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.TestHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded concurrent histories of a correct registry: each operation takes effect at a random
 * instant between its invocation and completion; some outcomes are lost (info) and some writes
 * fail. Tests corrupt one result to make a bad history. Not thread-safe.
 */
final class RegisterSimulation {
  private record Planned(
      int process,
      OpKind f,
      String name,
      String spec,
      long start,
      long lin,
      long end,
      boolean effect,
      String outcome) {}

  private record Event(long time, boolean invoke, int planned) {}

  private final Random random;
  private final List<Planned> plans = new ArrayList<>();

  RegisterSimulation(
      long seed,
      int processes,
      int opsPerProcess,
      List<String> names,
      double infoRate,
      double failRate) {
    random = new Random(seed);
    for (int p = 0; p < processes; p++) {
      long t = random.nextInt(5);
      for (int i = 0; i < opsPerProcess; i++) {
        long start = t + 1 + random.nextInt(5);
        long lin = start + 1 + random.nextInt(10);
        long end = lin + 1 + random.nextInt(10);
        int roll = random.nextInt(10);
        OpKind f = roll < 4 ? OpKind.REGISTER : roll < 6 ? OpKind.DELETE : OpKind.READ_API;
        String name = names.get(random.nextInt(names.size()));
        String spec = "10.1.0." + random.nextInt(4) + ":8080";
        double r = random.nextDouble();
        String outcome =
            r < infoRate ? "info" : r < infoRate + failRate && f.isWrite() ? "fail" : "ok";
        boolean effect = outcome.equals("ok") || outcome.equals("info") && random.nextBoolean();
        plans.add(new Planned(p, f, name, spec, start, lin, end, effect, outcome));
        t = end;
      }
    }
  }

  /**
   * The history, with {@code corrupt} given the chance to rewrite the i-th completion's (vip,
   * result).
   */
  History history(Corruption corrupt) {
    Map<Integer, String[]> results = applyInLinearizationOrder();
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      events.add(new Event(plans.get(i).start(), true, i));
      events.add(new Event(plans.get(i).end(), false, i));
    }
    events.sort(Comparator.comparingLong(Event::time).thenComparing(Event::invoke));
    TestHistory h = new TestHistory();
    Map<Integer, Op> invokes = new HashMap<>();
    int completions = 0;
    for (Event e : events) {
      Planned p = plans.get(e.planned());
      if (e.invoke()) {
        invokes.put(
            e.planned(),
            h.invoke(
                p.process(),
                p.f(),
                "n" + (1 + p.process() % 3),
                p.name(),
                p.f().isPut() ? p.spec() : null));
        continue;
      }
      Op inv = invokes.get(e.planned());
      switch (p.outcome()) {
        case "info" -> h.info(inv, "timeout");
        case "fail" -> h.fail(inv, "no_quorum");
        default -> {
          String[] r = corrupt.rewrite(completions, results.get(e.planned()));
          h.ok(inv, r[0], r[1], r[2]);
        }
      }
      completions++;
    }
    return h.history();
  }

  interface Corruption {
    /**
     * @param result {value, vip, result} of the i-th completion; return it, or a changed copy
     */
    String[] rewrite(int i, String[] result);
  }

  private Map<Integer, String[]> applyInLinearizationOrder() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong(i -> plans.get(i).lin()));
    Map<String, String[]> state = new HashMap<>();
    Map<String, Integer> generation = new HashMap<>();
    Map<Integer, String[]> results = new HashMap<>();
    for (int i : order) {
      Planned p = plans.get(i);
      String[] current = state.get(p.name());
      if (!p.effect()) {
        continue;
      }
      switch (p.f()) {
        case REGISTER -> {
          String vip =
              current != null
                  ? current[1]
                  : "240.0."
                      + Math.abs(p.name().hashCode() % 200)
                      + "."
                      + generation.merge(p.name(), 1, Integer::sum);
          state.put(p.name(), new String[] {p.spec(), vip});
          results.put(i, new String[] {p.spec(), vip, current == null ? "created" : "updated"});
        }
        case DELETE -> {
          state.remove(p.name());
          results.put(
              i,
              current == null
                  ? new String[] {null, null, "not_found"}
                  : new String[] {null, current[1], "deleted"});
        }
        case READ_API ->
            results.put(
                i,
                current == null
                    ? new String[] {null, null, "not_found"}
                    : new String[] {current[0], current[1], "found"});
        default -> throw new IllegalStateException(p.f().toString());
      }
    }
    return results;
  }
}
