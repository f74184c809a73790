package dev.quorumdns.chaos.checker;

import dev.quorumdns.chaos.history.History;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.Operation;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One name's operations split the way the DNS checkers need them. Immutable; built per check.
 *
 * @param puts register/update operations that did not fail (they may have taken effect)
 * @param deletes delete operations that did not fail
 * @param answers ok DNS resolutions, NOERROR with an address or NXDOMAIN
 */
record NameOps(
    String name, List<Operation> puts, List<Operation> deletes, List<Operation> answers) {
  static final String NXDOMAIN = "NXDOMAIN";
  static final String NOERROR = "NOERROR";

  static Map<String, NameOps> of(History history) {
    Map<String, List<Operation>> byName =
        history.byName(
            EnumSet.of(OpKind.REGISTER, OpKind.UPDATE, OpKind.DELETE, OpKind.RESOLVE_DNS));
    Map<String, NameOps> out = new TreeMap<>();
    byName.forEach(
        (name, ops) -> {
          List<Operation> puts = new ArrayList<>();
          List<Operation> deletes = new ArrayList<>();
          List<Operation> answers = new ArrayList<>();
          for (Operation op : ops) {
            if (op.f().isPut() && !op.isFail()) {
              puts.add(op);
            } else if (op.f() == OpKind.DELETE && !op.isFail()) {
              deletes.add(op);
            } else if (op.f() == OpKind.RESOLVE_DNS
                && op.isOk()
                && (isAddress(op) || isNxdomain(op))) {
              answers.add(op);
            }
          }
          out.put(
              name,
              new NameOps(name, List.copyOf(puts), List.copyOf(deletes), List.copyOf(answers)));
        });
    return out;
  }

  static boolean isAddress(Operation op) {
    return NOERROR.equals(op.result()) && op.vip() != null;
  }

  static boolean isNxdomain(Operation op) {
    return NXDOMAIN.equals(op.result());
  }

  /**
   * True when some delete of this name might have taken effect within [from, to] (event indices).
   */
  boolean deleteMayFallWithin(long from, long to) {
    for (Operation d : deletes) {
      if (d.start() < to && d.end() > from) {
        return true;
      }
    }
    return false;
  }
}
