package dev.quorumdns.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code quorumdns node}: listed here for help and completion; {@code bin/quorumdns} runs it on the
 * server's classpath, so it only reaches this class when the client jar is run by hand.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Run a node (its flags: quorumdns node --help; README, configuration reference).")
final class NodeCommand implements Callable<Integer> {
  @Unmatched List<String> args;

  @Override
  public Integer call() {
    throw new UsageException(
        "node", "runs on the server's classpath: start it with bin/quorumdns node");
  }
}
