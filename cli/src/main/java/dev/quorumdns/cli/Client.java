package dev.quorumdns.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Sends one request to the first of several nodes that can be reached. The next node is tried only
 * when the connection could not be made (nothing was sent); once a request has been sent, its
 * answer, or its loss, is final: a write whose connection broke after sending has an unknown
 * outcome. Thread-safe.
 */
final class Client {
  private final List<String> servers;
  private final String token;
  private final SSLContext tls;

  Client(List<String> servers, String token, SSLContext tls) {
    this.servers = List.copyOf(servers);
    this.token = token;
    this.tls = tls;
  }

  /** How a request ended. */
  sealed interface Result {
    /** A node answered. */
    record Answered(String server, ApiClient.Reply reply) implements Result {}

    /**
     * No answer.
     *
     * @param sent whether the request may have reached a node (then a write's outcome is unknown)
     */
    record Failed(boolean sent, String message) implements Result {}
  }

  /** The nodes, in the order they are tried. */
  List<String> servers() {
    return servers;
  }

  /** A client of one node, with this client's token and TLS. */
  ApiClient node(String server) {
    return new ApiClient(server, token, tls);
  }

  Result send(String method, String path, String body) throws InterruptedException {
    return send(method, path, body, Map.of());
  }

  Result send(String method, String path, String body, Map<String, String> headers)
      throws InterruptedException {
    List<String> unreachable = new ArrayList<>();
    for (String server : servers) {
      try {
        return new Result.Answered(
            server, new ApiClient(server, token, tls).call(method, path, body, headers));
      } catch (ConnectException | HttpConnectTimeoutException e) {
        unreachable.add(
            server
                + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + ")");
      } catch (SSLException e) {
        return new Result.Failed(
            false,
            "TLS with " + server + " failed (" + e.getMessage() + "); check --ca, --cert, --key");
      } catch (IOException e) {
        return new Result.Failed(true, "no answer from " + server + " (" + e + ")");
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "server",
            "'" + server + "' (expected: HOST:PORT or https://HOST:PORT): " + e.getMessage());
      }
    }
    return new Result.Failed(false, "cannot reach " + String.join(", ", unreachable));
  }
}
