package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import dev.quorumdns.chaos.history.RegistryEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Batches are all or nothing, as every whole-registry read sees them. The batch client writes the
 * names of a group only whole (one spec on every name, or all deleted, in one {@code POST
 * /v1/batch}), so in any state the log can reach, a group's names are all absent or all present
 * with one spec. A read (any node's {@code ?stale} full read, the final reads too) that shows some
 * names of a group but not all, or two specs among them, has seen part of a batch: an anomaly. This
 * judges batches whose outcome is unknown as well (whatever they did, they did it whole). Cannot
 * see: batches through DNS (one query sees one name), reads of one service, batches mixing groups
 * (the client makes none). Stateless.
 */
public final class BatchAtomicityChecker implements Checker {
  @Override
  public String name() {
    return "batch-atomic";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    Map<String, List<String>> groups = new TreeMap<>();
    long batches = 0;
    for (Operation op : history.operations()) {
      if (op.f() == OpKind.BATCH && op.invoke().nodes() != null) {
        groups.putIfAbsent(op.name(), op.invoke().nodes());
        batches += op.isOk() ? 1 : 0;
      }
    }
    long judged = 0;
    for (Operation read : history.operations()) {
      if (read.f() != OpKind.READ_ALL || !read.isOk() || read.completion().registry() == null) {
        continue;
      }
      for (Map.Entry<String, List<String>> g : groups.entrySet()) {
        List<RegistryEntry> seen = new ArrayList<>();
        for (String name : g.getValue()) {
          seen.add(read.completion().registry().get(name));
        }
        if (seen.stream().allMatch(Objects::isNull)) {
          continue;
        }
        judged++;
        boolean whole =
            seen.stream().noneMatch(Objects::isNull)
                && seen.stream().map(RegistryEntry::spec).distinct().count() == 1;
        if (!whole) {
          out.anomaly(
              new Anomaly(
                  "partial-batch",
                  g.getKey(),
                  read.node(),
                  read.brief() + " shows part of a batch of " + g.getValue() + ": " + seen,
                  List.of(read.completion().index())));
        }
      }
    }
    return out.stat("groups", groups.size())
        .stat("batchesAcknowledged", batches)
        .stat("groupReadsJudged", judged)
        .judged(judged)
        .build();
  }
}
