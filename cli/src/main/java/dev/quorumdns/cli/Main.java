package dev.quorumdns.cli;

import java.util.Arrays;
import java.util.List;

/** {@code quorumdns <command>}: the client commands, {@code certs} and {@code dev}. */
public final class Main {
  static final String USAGE = """
      usage: quorumdns <command> [options]

        node --config FILE | --id ID --data-dir DIR --peers id=host:port,... [options]
                                 run a node (see README: configuration reference)
        dev [--nodes 3] [--dir run/dev] [--fresh]
                                 run a local cluster on 127.0.0.11.. and register demo services
        register NS/NAME [--port NAME:tcp|udp:PORT]... [--endpoint ADDR[:PORT]]... [--label K=V]...
                         [--vip4 IP] [--vip6 IP] [--file BODY.json]
        deregister NS/NAME
        get NS/NAME [--stale]
        list [--namespace NS] [--stale]
        status
        members [add ID HOST:RAFTPORT [--listener] | remove ID]
        certs --out DIR --nodes ID=HOST,... [--client NAME]... [--days 365]
                                 make a CA and node/client certificates for a try-out (docs/security/tls.md)

      client options: --server HOST:PORT (default $QUORUMDNS_SERVER or 127.0.0.11:8053),
        --token-file FILE (one plain bearer token; default $QUORUMDNS_CLIENT_TOKEN_FILE)
        TLS: --server https://HOST:PORT, --ca FILE, --cert FILE, --key FILE ($QUORUMDNS_CA, _CERT, _KEY)
      """;

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    int code;
    try {
      code = switch (args[0]) {
        case "dev" -> DevCluster.run(rest);
        case "certs" -> CertsCommand.run(rest);
        default -> ClientCommands.run(args[0], rest);
      };
    } catch (UsageException e) {
      System.err.println("quorumdns: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }
}
