package dev.quorumdns.chaos.checker;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One violation found by a checker: its type (e.g. {@code vip-changed}), the name and node
 * concerned where there is one, a sentence for people, and the indices of the events that show it.
 * Immutable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Anomaly(String type, String name, String node, String message, List<Long> ops) {
  public Anomaly {
    ops = ops == null ? List.of() : List.copyOf(ops);
  }
}
