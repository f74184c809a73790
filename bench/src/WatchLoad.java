import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N watchers on one server, and writes at a fixed rate: the time from each write's acknowledgement to its
 * arrival at every watcher, and the server's memory per watcher. The same client for QuorumDNS
 * ({@code GET /v1/watch}) and etcd ({@code POST /v3/watch} through its JSON gateway), so the numbers compare.
 *
 * <p>Usage: WatchLoad quorumdns|etcd HOST:PORT SERVER_PID WATCHERS WRITES WRITES_PER_SECOND
 *
 * <p>Watchers are non-blocking sockets spread over a few selector threads; each decodes chunked HTTP into lines
 * and takes the revision of every change it gets. Memory: the server's RSS (/proc) before the watchers connect
 * and once they all have, both after a full GC for the JVM ({@code jcmd GC.run}); etcd's after a settling pause.
 */
public final class WatchLoad {
  private static final Pattern QDNS_REVISION = Pattern.compile("^\\{\"revision\":(\\d+),\"type\":\"(put|delete)\"");
  private static final Pattern ETCD_REVISION = Pattern.compile("\"mod_revision\":\"(\\d+)\"");
  private static final Pattern ETCD_CREATED = Pattern.compile("\"created\":true");
  private static final int THREADS = 4;

  private final boolean etcd;
  private final InetSocketAddress server;
  private final String host;
  private final AtomicInteger established = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  /** Per revision: when the write that made it was acknowledged (System.nanoTime). */
  private final ConcurrentHashMap<Long, Long> acked = new ConcurrentHashMap<>();
  private final List<Receiver> receivers = new ArrayList<>();

  private WatchLoad(boolean etcd, String hostPort) {
    this.etcd = etcd;
    this.host = hostPort;
    String[] hp = hostPort.split(":");
    this.server = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
  }

  public static void main(String[] args) throws Exception {
    boolean etcd = args[0].equals("etcd");
    WatchLoad load = new WatchLoad(etcd, args[1]);
    long pid = Long.parseLong(args[2]);
    int watchers = Integer.parseInt(args[3]);
    int writes = Integer.parseInt(args[4]);
    double rate = Double.parseDouble(args[5]);
    load.run(pid, watchers, writes, rate);
    System.exit(0);
  }

  private void run(long pid, int watchers, int writes, double rate) throws Exception {
    for (int i = 0; i < 20; i++) {
      write("warm" + i); // warms up both the server and this client
    }
    long rssBefore = rss(pid, !etcd);
    if (etcd) {
      Thread.sleep(5000);
      rssBefore = rss(pid, false);
    }
    long started = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      Receiver r = new Receiver(watchers / THREADS + (t < watchers % THREADS ? 1 : 0));
      receivers.add(r);
      r.start();
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (established.get() + failed.get() < watchers && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    double connectSeconds = (System.nanoTime() - started) / 1e9;
    Thread.sleep(5000);
    long rssAfter = rss(pid, !etcd);

    long interval = (long) (1e9 / rate);
    long next = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      next += interval;
      write("s" + (i % 100));
    }
    long expected = (long) writes * established.get();
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (received() < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long[] latencies = latencies();
    Arrays.sort(latencies);
    long got = received();
    System.out.printf("%s watchers=%d connected=%d connect_s=%.1f writes=%d rate=%.0f/s delivered=%d missing=%d "
            + "p50=%.2fms p99=%.2fms p999=%.2fms max=%.2fms rss_before_mb=%.1f rss_after_mb=%.1f "
            + "per_watcher_kb=%.2f%n", etcd ? "etcd" : "quorumdns", watchers, established.get(), connectSeconds,
        writes, rate, got, expected - got, pct(latencies, 0.5), pct(latencies, 0.99), pct(latencies, 0.999),
        pct(latencies, 1.0), rssBefore / 1048576.0, rssAfter / 1048576.0,
        (rssAfter - rssBefore) / 1024.0 / Math.max(1, established.get()));
  }

  private long received() {
    return receivers.stream().mapToLong(r -> r.count.get()).sum();
  }

  /** Every delivery's delay after its write's acknowledgement (0 when it came first), in nanoseconds. */
  private long[] latencies() {
    List<long[]> parts = new ArrayList<>();
    int n = 0;
    for (Receiver r : receivers) {
      long[] revs = r.revisions;
      long[] times = r.times;
      int c = (int) Math.min(r.count.get(), revs.length);
      long[] out = new long[c];
      int k = 0;
      for (int i = 0; i < c; i++) {
        Long ack = acked.get(revs[i]);
        if (ack != null) {
          out[k++] = Math.max(0, times[i] - ack);
        }
      }
      parts.add(Arrays.copyOf(out, k));
      n += k;
    }
    long[] all = new long[n];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1 < 0 ? 0
        : (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern QDNS_WRITE = Pattern.compile("\"revision\"\\s*:\\s*(\\d+)");
  private static final Pattern ETCD_WRITE = Pattern.compile("\"revision\"\\s*:\\s*\"(\\d+)\"");
  private final AtomicLong port = new AtomicLong(1);

  /** One write, synchronous; records when its revision was acknowledged. */
  private void write(String name) throws IOException, InterruptedException {
    HttpRequest req;
    if (etcd) {
      String key = Base64.getEncoder().encodeToString(("bench/" + name).getBytes(StandardCharsets.UTF_8));
      String value = Base64.getEncoder().encodeToString(("{\"port\":" + port.incrementAndGet() + "}")
          .getBytes(StandardCharsets.UTF_8));
      req = HttpRequest.newBuilder(URI.create("http://" + host + "/v3/kv/put"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}")).build();
    } else {
      req = HttpRequest.newBuilder(URI.create("http://" + host + "/v1/services/bench/" + name))
          .PUT(HttpRequest.BodyPublishers.ofString("{\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":"
              + (port.incrementAndGet() % 65000 + 1) + "}]}")).build();
    }
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    long now = System.nanoTime();
    Matcher m = (etcd ? ETCD_WRITE : QDNS_WRITE).matcher(r.body());
    if (r.statusCode() / 100 != 2 || !m.find()) {
      throw new IOException("write answered " + r.statusCode() + ": " + r.body());
    }
    acked.put(Long.parseLong(m.group(1)), now);
  }

  /**
   * The server's resident memory, after a full GC when it is a JVM. Never jcmd another process: jcmd attaches by
   * sending SIGQUIT, which ends a Go program such as etcd.
   */
  private static long rss(long pid, boolean gc) throws IOException, InterruptedException {
    if (gc) {
      Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      Thread.sleep(1000);
    }
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for " + pid);
  }

  /** The request that opens one watch. */
  private byte[] request() {
    if (etcd) {
      String key = Base64.getEncoder().encodeToString("bench/".getBytes(StandardCharsets.UTF_8));
      String end = Base64.getEncoder().encodeToString("bench0".getBytes(StandardCharsets.UTF_8));
      String body = "{\"create_request\":{\"key\":\"" + key + "\",\"range_end\":\"" + end + "\"}}";
      return ("POST /v3/watch HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }
    return ("GET /v1/watch?namespace=bench HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Some of the watchers, on one selector thread: connects them, then decodes what arrives. */
  private final class Receiver extends Thread {
    private final int watchers;
    private final AtomicLong count = new AtomicLong();
    private long[] revisions = new long[1 << 16];
    private long[] times = new long[1 << 16];

    Receiver(int watchers) {
      super("receiver");
      setDaemon(true);
      this.watchers = watchers;
    }

    @Override
    public void run() {
      try (Selector selector = Selector.open()) {
        byte[] req = request();
        for (int i = 0; i < watchers; i++) {
          SocketChannel ch = SocketChannel.open();
          ch.configureBlocking(false);
          ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
          ch.connect(server);
          ch.register(selector, SelectionKey.OP_CONNECT, new Conn(ByteBuffer.wrap(req)));
          if (i % 200 == 199) {
            selector.selectNow();
            handle(selector);
          }
        }
        while (true) {
          selector.select();
          handle(selector);
        }
      } catch (IOException e) {
        System.err.println("receiver: " + e);
      }
    }

    private final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);

    private void handle(Selector selector) throws IOException {
      for (SelectionKey k : selector.selectedKeys()) {
        SocketChannel ch = (SocketChannel) k.channel();
        Conn c = (Conn) k.attachment();
        try {
          if (k.isConnectable()) {
            ch.finishConnect();
            k.interestOps(SelectionKey.OP_WRITE);
          } else if (k.isWritable()) {
            ch.write(c.request);
            if (!c.request.hasRemaining()) {
              k.interestOps(SelectionKey.OP_READ);
            }
          } else if (k.isReadable()) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
              k.cancel();
              ch.close();
              continue;
            }
            long now = System.nanoTime();
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            c.feed(b, now);
          }
        } catch (IOException e) {
          failed.incrementAndGet();
          k.cancel();
          ch.close();
        }
      }
      selector.selectedKeys().clear();
    }

    private synchronized void record(long revision, long time) {
      int i = (int) count.get();
      if (i == revisions.length) {
        revisions = Arrays.copyOf(revisions, i * 2);
        times = Arrays.copyOf(times, i * 2);
      }
      revisions[i] = revision;
      times[i] = time;
      count.incrementAndGet();
    }

    /** One watch connection: its request, then the head, then chunks decoded into lines. */
    private final class Conn {
      private final ByteBuffer request;
      private boolean headDone;
      private boolean open;
      private final StringBuilder text = new StringBuilder();
      private int chunkLeft = -1;

      Conn(ByteBuffer request) {
        this.request = request;
      }

      void feed(byte[] b, long now) {
        text.append(new String(b, StandardCharsets.ISO_8859_1));
        if (!headDone) {
          int end = text.indexOf("\r\n\r\n");
          if (end < 0) {
            return;
          }
          String head = text.substring(0, end);
          text.delete(0, end + 4);
          headDone = true;
          if (!head.startsWith("HTTP/1.1 200")) {
            failed.incrementAndGet();
            System.err.println("watch refused: " + head.lines().findFirst().orElse(""));
            return;
          }
          if (!etcd) {
            opened();
          }
        }
        StringBuilder data = new StringBuilder();
        while (true) {
          if (chunkLeft < 0) {
            int eol = text.indexOf("\r\n");
            if (eol < 0) {
              break;
            }
            String size = text.substring(0, eol).trim();
            text.delete(0, eol + 2);
            if (size.isEmpty()) {
              continue;
            }
            chunkLeft = Integer.parseInt(size.split(";")[0], 16);
          } else {
            int take = Math.min(chunkLeft, text.length());
            data.append(text, 0, take);
            text.delete(0, take);
            chunkLeft -= take;
            if (chunkLeft == 0) {
              chunkLeft = -1;
            } else {
              break;
            }
          }
        }
        lines.append(data);
        int nl;
        while ((nl = lines.indexOf("\n")) >= 0) {
          line(lines.substring(0, nl), now);
          lines.delete(0, nl + 1);
        }
      }

      private final StringBuilder lines = new StringBuilder();

      private void opened() {
        if (!open) {
          open = true;
          established.incrementAndGet();
        }
      }

      private void line(String l, long now) {
        if (etcd) {
          if (ETCD_CREATED.matcher(l).find()) {
            opened();
          }
          Matcher m = ETCD_REVISION.matcher(l);
          while (m.find()) {
            record(Long.parseLong(m.group(1)), now);
          }
        } else {
          Matcher m = QDNS_REVISION.matcher(l);
          if (m.find()) {
            record(Long.parseLong(m.group(1)), now);
          }
        }
      }
    }
  }
}
