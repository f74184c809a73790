package dev.quorumdns.chaos.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A stand-in for the node inside a chaos container, NOT the node: JDK only, so the container
 * plumbing can be proven before the node exists. HTTP on the API port: {@code /healthz} (its id),
 * {@code /probe?to=ip:port} (can it reach that peer's /healthz over TCP), {@code
 * /udp-probe?to=ip:port&count=N} (how many of N UDP queries to that peer's DNS port got answers).
 * UDP on the DNS port: every query gets an authoritative NXDOMAIN. Usage: {@code StandInNode <id>
 * <api-port> <dns-port>}.
 */
public final class StandInNode {
  private StandInNode() {}

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
    server.start();
    Thread dns = new Thread(() -> serveDns(dnsPort), "dns");
    dns.start();
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
