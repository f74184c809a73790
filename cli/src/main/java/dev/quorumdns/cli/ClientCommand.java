package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Mixin;

/**
 * A command that is one HTTP request: sends it through {@link Client}, prints the answer (JSON as
 * the node sent it, or a table), and turns the outcome into the exit code: 0 done, 1 refused or
 * failed, 3 a write whose outcome is unknown (504, or the connection broke after sending).
 */
abstract class ClientCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();
  final Context ctx;

  @Mixin ClientOptions options = new ClientOptions();

  ClientCommand(Context ctx) {
    this.ctx = ctx;
  }

  /** Sends the request; {@code table} prints a successful answer for people. */
  int send(
      String method, String path, String body, boolean write, BiConsumer<Output, JsonNode> table)
      throws InterruptedException {
    return send(method, path, body, Map.of(), write, table);
  }

  /** As {@link #send(String, String, String, boolean, BiConsumer)}, with extra request headers. */
  int send(
      String method,
      String path,
      String body,
      Map<String, String> headers,
      boolean write,
      BiConsumer<Output, JsonNode> table)
      throws InterruptedException {
    Client client = options.client(ctx);
    return print(client.send(method, path, body, headers), write, table);
  }

  /** Prints how a request ended and returns the exit code. */
  int print(Client.Result result, boolean write, BiConsumer<Output, JsonNode> table) {
    if (result instanceof Client.Result.Failed f) {
      if (f.sent() && write) {
        ctx.err()
            .println(
                "quorumdns: the outcome of this write is unknown: "
                    + f.message()
                    + "; check with 'quorumdns get' before retrying");
        return Main.UNKNOWN;
      }
      ctx.err()
          .println(
              "quorumdns: "
                  + f.message()
                  + (f.sent()
                      ? "; if the node serves HTTPS, use --server "
                          + "https://HOST:PORT with --ca (and --cert/--key)"
                      : ""));
      return Main.FAILED;
    }
    ApiClient.Reply reply = ((Client.Result.Answered) result).reply();
    int code = reply.ok() ? 0 : reply.status() == 504 ? Main.UNKNOWN : Main.FAILED;
    if (options.format(ctx) == ClientOptions.Format.JSON) {
      ctx.out().print(reply.body().endsWith("\n") ? reply.body() : reply.body() + "\n");
      ctx.out().flush();
      return code;
    }
    JsonNode parsed;
    try {
      parsed = JSON.readTree(reply.body());
    } catch (IOException e) {
      parsed = null;
    }
    if (!reply.ok() || parsed == null) {
      ctx.err()
          .println(
              "quorumdns: "
                  + reply.status()
                  + (parsed == null
                      ? " " + reply.body()
                      : " "
                          + parsed.path("error").asText()
                          + ": "
                          + parsed.path("message").asText()));
      return code;
    }
    table.accept(new Output(ctx.out()), parsed);
    ctx.out().flush();
    return code;
  }
}
