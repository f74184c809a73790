package dev.quorumdns.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * What a command runs with: the environment ({@code QUORUMDNS_*} defaults), where it writes, and
 * whether its output goes to a person (a terminal: tables by default) or to a program (JSON by
 * default). Immutable.
 */
record Context(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
  Context {
    env = Map.copyOf(env);
  }
}
