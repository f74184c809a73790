package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.checker.linear.NameState;
import dev.quorumdns.chaos.checker.linear.RegisterModel;
import dev.quorumdns.chaos.checker.linear.WingGongSearch;
import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Per-name linearizability of register, update, delete and linearizable API reads against {@link
 * RegisterModel}. Names are independent registers, so each is searched on its own; a name whose
 * search exceeds the step budget makes the verdict unknown. Stateless.
 */
public final class LinearizabilityChecker implements Checker {
  private static final EnumSet<OpKind> KINDS =
      EnumSet.of(OpKind.REGISTER, OpKind.UPDATE, OpKind.DELETE, OpKind.READ_API);
  private static final int PREFIX_SHOWN = 8;

  private final long maxStepsPerName;

  /**
   * @param maxStepsPerName search budget per name; past it that name is unknown
   */
  public LinearizabilityChecker(long maxStepsPerName) {
    this.maxStepsPerName = maxStepsPerName;
  }

  public LinearizabilityChecker() {
    this(2_000_000);
  }

  @Override
  public String name() {
    return "linearizable";
  }

  @Override
  public CheckResult check(History history) {
    CheckResult.Builder out = new CheckResult.Builder(name());
    long steps = 0;
    int names = 0;
    int operations = 0;
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<Operation>> e : history.byName(KINDS).entrySet()) {
      List<Operation> ops =
          e.getValue().stream()
              .filter(op -> !op.isFail())
              .filter(op -> op.f().isWrite() || op.isOk())
              .collect(Collectors.toList());
      if (ops.isEmpty()) {
        continue;
      }
      names++;
      operations += ops.size();
      WingGongSearch.Result<NameState> result =
          new WingGongSearch<>(new RegisterModel(), maxStepsPerName).search(ops);
      steps += result.steps();
      switch (result.outcome()) {
        case LINEARIZABLE -> {}
        case UNKNOWN -> unknown.add(e.getKey());
        case NOT_LINEARIZABLE -> out.anomaly(anomaly(e.getKey(), result));
      }
    }
    if (!unknown.isEmpty()) {
      out.unknown(
          "search budget of "
              + maxStepsPerName
              + " steps exceeded for "
              + unknown.size()
              + " name(s): "
              + unknown.subList(0, Math.min(10, unknown.size())));
    }
    return out.judged(operations)
        .stat("names", names)
        .stat("operations", operations)
        .stat("searchSteps", steps)
        .stat("unknownNames", unknown.size())
        .build();
  }

  private static Anomaly anomaly(String name, WingGongSearch.Result<NameState> result) {
    Operation stuck = result.stuckAt();
    List<Operation> prefix = result.prefix();
    List<Operation> shown =
        prefix.subList(Math.max(0, prefix.size() - PREFIX_SHOWN), prefix.size());
    List<Long> ops = new ArrayList<>();
    shown.forEach(op -> ops.add(op.invoke().index()));
    ops.add(stuck.invoke().index());
    if (stuck.completion() != null) {
      ops.add(stuck.completion().index());
    }
    String message =
        "no linearization places "
            + stuck.brief()
            + "; the longest valid order ("
            + prefix.size()
            + " ops) ends with "
            + shown.stream().map(Operation::brief).toList()
            + " in state "
            + result.stateThere();
    return new Anomaly("nonlinearizable", name, stuck.node(), message, ops);
  }
}
