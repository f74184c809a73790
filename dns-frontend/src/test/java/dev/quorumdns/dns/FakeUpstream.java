package dev.quorumdns.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/** A one-thread upstream answering every question with 192.0.2.1; counts what it was asked. */
final class FakeUpstream implements AutoCloseable {
  final DatagramSocket socket;
  final AtomicInteger asked = new AtomicInteger();

  FakeUpstream(InetAddress bind) throws IOException {
    socket = new DatagramSocket(0, bind);
    Thread t = new Thread(this::serve, "fake-upstream");
    t.setDaemon(true);
    t.start();
  }

  private void serve() {
    byte[] buf = new byte[4096];
    while (!socket.isClosed()) {
      try {
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        socket.receive(in);
        asked.incrementAndGet();
        Message q = new Message(Arrays.copyOf(in.getData(), in.getLength()));
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(Flags.QR);
        a.getHeader().setFlag(Flags.RA);
        a.addRecord(q.getQuestion(), Section.QUESTION);
        a.addRecord(
            new ARecord(
                q.getQuestion().getName(), DClass.IN, 300, InetAddress.getByName("192.0.2.1")),
            Section.ANSWER);
        byte[] out = a.toWire();
        socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
      } catch (IOException e) {
        return;
      }
    }
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public void close() {
    socket.close();
  }
}
