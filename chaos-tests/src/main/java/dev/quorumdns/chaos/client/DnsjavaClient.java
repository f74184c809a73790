package dev.quorumdns.chaos.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsApi}: an A or AAAA query for {@code <name>.<ns>.<domain>} (or a PTR query) over UDP,
 * retried over TCP on truncation. dnsjava builds and parses the messages; the sockets are the
 * JDK's, bound to a port the kernel chooses, so a failure to bind says what the kernel said
 * (dnsjava's client tries random ports itself and reports only "No available source port found";
 * that is how the suite's ephemeral ports running out, see {@code ChaosNode.dnsAddress}, first
 * showed). NOERROR and NXDOMAIN are answers ({@code ok}); SERVFAIL, REFUSED and timeouts are {@code
 * fail}. Thread-safe.
 */
public final class DnsjavaClient implements DnsApi {
  private final Function<String, InetSocketAddress> address;
  private final String domain;
  private final Duration timeout;

  /**
   * @param address the DNS address of a node id; looked up on every query
   */
  public DnsjavaClient(
      Function<String, InetSocketAddress> address, String domain, Duration timeout) {
    this.address = address;
    this.domain = domain;
    this.timeout = timeout;
  }

  @Override
  public Outcome resolve(String node, String name) {
    return forward(node, name, Type.A);
  }

  @Override
  public Outcome resolve6(String node, String name) {
    return forward(node, name, Type.AAAA);
  }

  @Override
  public Outcome reverse(String node, String address) {
    Name qname;
    try {
      qname = ReverseMap.fromAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address: " + address + " (" + e.getMessage() + ")", e);
    }
    Object answer = exchange(node, qname, Type.PTR);
    if (answer instanceof Outcome o) {
      return o;
    }
    for (Record r : ((Message) answer).getSection(Section.ANSWER)) {
      if (r instanceof PTRRecord ptr && ptr.getName().equals(qname)) {
        return Outcome.ok("NOERROR", serviceOf(ptr.getTarget()), null, null);
      }
    }
    return Outcome.ok("NOERROR", null, null, null);
  }

  /** {@code name.ns.<domain>.} as {@code ns/name}, or the name as it is when outside the zone. */
  private String serviceOf(Name target) {
    String text = target.toString();
    String suffix = "." + domain + ".";
    if (text.endsWith(suffix)) {
      String[] labels = text.substring(0, text.length() - suffix.length()).split("\\.");
      if (labels.length == 2) {
        return labels[1] + "/" + labels[0];
      }
    }
    return text;
  }

  private Outcome forward(String node, String name, int type) {
    String[] key = ServiceSpec.key(name);
    Name qname;
    try {
      qname = Name.fromString(key[1] + "." + key[0] + "." + domain + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("name: " + name + " (" + e.getMessage() + ")", e);
    }
    Object answer = exchange(node, qname, type);
    if (answer instanceof Outcome o) {
      return o;
    }
    for (Record r : ((Message) answer).getSection(Section.ANSWER)) {
      if (r instanceof ARecord a && a.getName().equals(qname)) {
        return Outcome.ok("NOERROR", null, a.getAddress().getHostAddress(), null);
      }
      if (r instanceof AAAARecord a && a.getName().equals(qname)) {
        return Outcome.ok("NOERROR", null, null, null).withVip6(a.getAddress().getHostAddress());
      }
    }
    return Outcome.ok("NOERROR", null, null, null);
  }

  /** The NOERROR response to one query, or the outcome that ends it (NXDOMAIN, or a failure). */
  private Object exchange(String node, Name qname, int type) {
    Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
    long deadline = System.nanoTime() + timeout.toNanos();
    Message response;
    try {
      InetSocketAddress server = address.apply(node);
      response = udp(server, query, deadline);
      if (response.getHeader().getFlag(Flags.TC)) {
        response = tcp(server, query, deadline);
      }
    } catch (SocketTimeoutException e) {
      return Outcome.fail("timeout", e.toString());
    } catch (PortUnreachableException | ConnectException e) {
      return Outcome.fail("unreachable", e.toString());
    } catch (IOException e) {
      return Outcome.fail("io", e.toString());
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return Outcome.ok("NXDOMAIN", null, null, null);
    }
    if (rcode != Rcode.NOERROR) {
      return Outcome.fail(Rcode.string(rcode), "rcode " + Rcode.string(rcode));
    }
    return response;
  }

  /**
   * One UDP exchange; datagrams that are not the answer to this query (wrong id or question) are
   * skipped.
   */
  private static Message udp(InetSocketAddress server, Message query, long deadline)
      throws IOException {
    byte[] wire = query.toWire();
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(server);
      socket.send(new DatagramPacket(wire, wire.length));
      byte[] buffer = new byte[65535];
      while (true) {
        socket.setSoTimeout(remainingMillis(deadline));
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        Message reply = parse(Arrays.copyOf(packet.getData(), packet.getLength()));
        if (reply != null && answers(reply, query)) {
          return reply;
        }
      }
    }
  }

  private static Message tcp(InetSocketAddress server, Message query, long deadline)
      throws IOException {
    byte[] wire = query.toWire();
    try (Socket socket = new Socket()) {
      socket.connect(server, remainingMillis(deadline));
      socket.setSoTimeout(remainingMillis(deadline));
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] body = new byte[in.readUnsignedShort()];
      in.readFully(body);
      Message reply = parse(body);
      if (reply == null || !answers(reply, query)) {
        throw new IOException("TCP answer from " + server + " does not match the query");
      }
      return reply;
    }
  }

  private static boolean answers(Message reply, Message query) {
    return reply.getHeader().getFlag(Flags.QR)
        && reply.getHeader().getID() == query.getHeader().getID()
        && (reply.getQuestion() == null
            || reply.getQuestion().getName().equals(query.getQuestion().getName()));
  }

  private static Message parse(byte[] bytes) {
    try {
      return new Message(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = (deadline - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("no answer within the query timeout");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }
}
