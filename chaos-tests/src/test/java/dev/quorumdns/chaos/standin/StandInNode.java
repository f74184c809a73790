package dev.quorumdns.chaos.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A stand-in for the node inside a chaos container, NOT the node: JDK only, so the container
 * plumbing can be proven before the node exists. HTTP on the API port: {@code /healthz} (its id),
 * {@code /probe?to=ip:port} (can it reach that peer's /healthz over TCP), {@code
 * /udp-probe?to=ip:port&count=N} (how many of N UDP queries to that peer's DNS port got answers),
 * {@code /stream-open?to=ip&key=K} (opens a long-lived TCP connection to that peer's echo port and
 * keeps it under K), {@code /stream-echo?key=K&timeoutMs=N} (sends one numbered byte over stream K
 * and answers 200 when the peer echoed it within the time, 503 otherwise; older echoes are
 * skipped). UDP on the DNS port: every query gets an authoritative NXDOMAIN; TCP on {@value
 * #ECHO_PORT} echoes every byte. Usage: {@code StandInNode <id> <api-port> <dns-port>}.
 */
public final class StandInNode {
  /** TCP echo port for long-lived streams between stand-ins. */
  public static final int ECHO_PORT = 7070;

  private static final Map<String, Stream> STREAMS = new ConcurrentHashMap<>();

  /** One open connection to a peer's echo port and the number of the last byte sent on it. */
  private static final class Stream {
    final Socket socket;
    int sent;

    Stream(Socket socket) {
      this.socket = socket;
    }

    /** Sends the next numbered byte and waits for its echo, skipping echoes of earlier ones. */
    synchronized boolean echo(long timeoutMillis) throws IOException {
      sent = (sent + 1) % 256;
      socket.getOutputStream().write(sent);
      socket.getOutputStream().flush();
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int b;
        try {
          b = socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
          return false;
        }
        if (b < 0) {
          throw new IOException("stream closed by the peer");
        }
        if (b == sent) {
          return true;
        }
      }
    }
  }

  public static void main(String[] args) throws IOException {
    String id = args[0];
    int apiPort = Integer.parseInt(args[1]);
    int dnsPort = Integer.parseInt(args[2]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(800)).build();
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", apiPort), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/healthz", ex -> reply(ex, 200, id));
    server.createContext(
        "/probe",
        ex -> {
          String to = query(ex).get("to");
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://" + to + "/healthz"))
                        .timeout(Duration.ofMillis(1500))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            reply(ex, r.statusCode() == 200 ? 200 : 503, "reached " + r.body());
          } catch (IOException | InterruptedException e) {
            reply(ex, 503, "unreachable " + e);
          }
        });
    server.createContext(
        "/udp-probe",
        ex -> {
          Map<String, String> q = query(ex);
          String[] to = q.get("to").split(":");
          int count = Integer.parseInt(q.getOrDefault("count", "100"));
          int answered = 0;
          try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(Integer.parseInt(q.getOrDefault("timeoutMs", "100")));
            InetSocketAddress peer = new InetSocketAddress(to[0], Integer.parseInt(to[1]));
            byte[] buffer = new byte[512];
            for (int i = 0; i < count; i++) {
              byte[] query = dnsQuery(i);
              socket.send(new DatagramPacket(query, query.length, peer));
              try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                if (in.getLength() >= 12
                    && ((buffer[0] & 0xff) << 8 | buffer[1] & 0xff) == (i & 0xffff)) {
                  answered++;
                }
              } catch (SocketTimeoutException e) {
                // lost: counted as unanswered
              }
            }
          }
          reply(ex, 200, String.valueOf(answered));
        });
    server.createContext(
        "/stream-open",
        ex -> {
          Map<String, String> q = query(ex);
          Socket socket = new Socket();
          try {
            socket.connect(new InetSocketAddress(q.get("to"), ECHO_PORT), 1500);
            socket.setTcpNoDelay(true);
          } catch (IOException e) {
            socket.close();
            reply(ex, 503, "cannot connect " + e);
            return;
          }
          Stream old = STREAMS.put(q.get("key"), new Stream(socket));
          if (old != null) {
            old.socket.close();
          }
          reply(ex, 200, "open");
        });
    server.createContext(
        "/stream-echo",
        ex -> {
          Map<String, String> q = query(ex);
          Stream stream = STREAMS.get(q.get("key"));
          if (stream == null) {
            reply(ex, 404, "no stream " + q.get("key"));
            return;
          }
          try {
            boolean echoed = stream.echo(Long.parseLong(q.getOrDefault("timeoutMs", "1000")));
            reply(ex, echoed ? 200 : 503, echoed ? "echoed" : "no echo");
          } catch (IOException e) {
            reply(ex, 500, "stream broken " + e);
          }
        });
    server.start();
    Thread echo = new Thread(StandInNode::serveEcho, "echo");
    echo.setDaemon(true);
    echo.start();
    Thread dns = new Thread(() -> serveDns(dnsPort), "dns");
    dns.start();
  }

  private static void serveEcho() {
    try (ServerSocket listener = new ServerSocket(ECHO_PORT)) {
      while (true) {
        Socket peer = listener.accept();
        Thread t =
            new Thread(
                () -> {
                  try (peer) {
                    peer.setTcpNoDelay(true);
                    int b;
                    while ((b = peer.getInputStream().read()) >= 0) {
                      peer.getOutputStream().write(b);
                      peer.getOutputStream().flush();
                    }
                  } catch (IOException e) {
                    // the peer went away: nothing to echo
                  }
                },
                "echo-" + peer.getRemoteSocketAddress());
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void serveDns(int port) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
      byte[] buffer = new byte[1500];
      while (true) {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        if (packet.getLength() < 12) {
          continue;
        }
        byte[] reply = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
        reply[2] = (byte) (0x80 | 0x04 | (reply[2] & 0x79));
        reply[3] = (byte) ((reply[3] & 0xf0) | 3);
        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] dnsQuery(int id) {
    byte[] name = {1, 'x', 0};
    byte[] q = new byte[12 + name.length + 4];
    q[0] = (byte) (id >> 8);
    q[1] = (byte) id;
    q[5] = 1;
    System.arraycopy(name, 0, q, 12, name.length);
    q[12 + name.length + 1] = 1;
    q[12 + name.length + 3] = 1;
    return q;
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        String[] p = kv.split("=", 2);
        out.put(p[0], p.length > 1 ? p[1] : "");
      }
    }
    return out;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }
}
