package dev.quorumdns.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top of the command tree: {@code quorumdns} alone says which commands there are. */
@Command(
    name = "quorumdns",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Service discovery DNS you can trust when things break: run a node, or talk to one.",
    footer = {
      "",
      "Exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 the outcome of a write is unknown "
          + "(check with 'get' before retrying).",
      "Shell completion: source completion/quorumdns_completion (cli/target/ in a source checkout)."
    })
final class QuorumDns implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new ParameterException(spec.commandLine(), "a command is required (see the list above)");
  }
}
