package dev.quorumdns.node.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/** A bare HTTP/1.1 client on one socket, for tests that must control every byte and its timing. */
final class RawHttp implements AutoCloseable {
  private final Socket socket;

  /**
   * Connects to {@code host:8053} from {@code localAddress} (any loopback address works on Linux).
   */
  RawHttp(String host, String localAddress, Duration readTimeout) throws IOException {
    socket = new Socket();
    if (localAddress != null) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    }
    socket.connect(new InetSocketAddress(host, 8053), 2000);
    socket.setSoTimeout((int) readTimeout.toMillis());
  }

  void send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: quorumdns\r\n\r\n";
  }

  /**
   * Reads one answer (head and a Content-Length body); returns it whole, or what came before EOF.
   */
  String readAnswer() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return head.toString(StandardCharsets.UTF_8);
      }
      head.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : 0;
    }
    String h = head.toString(StandardCharsets.UTF_8);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** True once the server has closed the connection (EOF or reset) within the read timeout. */
  boolean closedByServer() throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
