package dev.quorumdns.server;

import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.registry.ValidationException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code quorumdns node ...}: runs one node (the runtime and its HTTP API) until SIGTERM. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !args[0].equals("node")) {
      System.err.println("usage: quorumdns node --config FILE | --id ID --data-dir DIR --peers id=host:port,... "
          + "[options]");
      System.exit(2);
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    int code;
    try {
      code = runNode(rest);
    } catch (ValidationException e) {
      System.err.println("quorumdns: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }

  private static int runNode(List<String> args) throws InterruptedException {
    NodeConfig config = ConfigLoader.load(args, System.getenv());
    System.setProperty("quorumdns.node", config.id());
    Server server;
    try {
      server = new Server(config, Clock.systemUTC(),
          code -> new Thread(() -> System.exit(code), "quorumdns-exit").start());
    } catch (ValidationException e) {
      System.err.println("quorumdns: node " + config.id() + " refused to start: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "quorumdns-shutdown"));
    try {
      server.start();
    } catch (ValidationException e) {
      System.err.println("quorumdns: node " + config.id() + " refused to start: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("quorumdns: node " + config.id() + " failed to start: " + e);
      return 1;
    }
    stopped.await();
    return 0;
  }
}
