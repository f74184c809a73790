package dev.quorumdns.dns.transfer;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * Checks the TSIG of signed queries against the configured keys (with dnsjava's TSIG, RFC 8945) and
 * signs the answers to them. A failed check is answered NOTAUTH carrying the TSIG error (BADKEY,
 * BADSIG, BADTIME), unsigned except for BADTIME, and logged at most once a minute per client
 * address. Thread-safe.
 */
public final class TsigVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(TsigVerifier.class);
  private static final Duration LOG_EVERY = Duration.ofMinutes(1);
  private static final int MAX_TRACKED_CLIENTS = 10_000;

  /**
   * The outcome for one query: unsigned, verified with {@code key}, or failed with {@code error}.
   *
   * @param error the TSIG error (an extended rcode) when verification failed, else {@link
   *     Rcode#NOERROR}
   * @param key the key that signed the query (verified, or BADTIME); null if unsigned, unknown or
   *     BADSIG/BADKEY
   */
  public record Verdict(boolean signed, int error, TSIG key) {
    static final Verdict UNSIGNED = new Verdict(false, Rcode.NOERROR, null);

    public boolean verified() {
      return signed && error == Rcode.NOERROR;
    }

    public boolean failed() {
      return signed && error != Rcode.NOERROR;
    }
  }

  private final Map<Name, TSIG> keys;
  private final Clock clock;
  private final String logPrefix;
  private final ConcurrentHashMap<InetAddress, long[]> lastLogged = new ConcurrentHashMap<>();

  public TsigVerifier(List<TsigKey> keys, Clock clock, String nodeId) {
    Map<Name, TSIG> m = new HashMap<>();
    for (TsigKey k : keys) {
      m.put(k.name(), k.tsig(clock));
    }
    this.keys = Map.copyOf(m);
    this.clock = clock;
    this.logPrefix = "[" + nodeId + "] ";
  }

  /** True if at least one key is configured. */
  public boolean hasKeys() {
    return !keys.isEmpty();
  }

  /**
   * Verifies {@code query} (parsed from {@code wire}) if it is signed; with no keys configured,
   * TSIG is ignored.
   */
  public Verdict verify(Message query, byte[] wire, InetAddress client) {
    TSIGRecord sig = query.getTSIG();
    if (sig == null || keys.isEmpty()) {
      return Verdict.UNSIGNED;
    }
    TSIG key = keys.get(sig.getName().canonicalize());
    int error = key == null ? Rcode.BADKEY : key.verify(query, wire, null);
    if (error == Rcode.FORMERR) {
      error = Rcode.BADSIG;
    }
    if (error != Rcode.NOERROR) {
      logFailure(client, sig, error);
    }
    return new Verdict(true, error, error == Rcode.NOERROR || error == Rcode.BADTIME ? key : null);
  }

  /**
   * The NOTAUTH answer to a query whose TSIG failed: the question echoed and a TSIG record with the
   * error, under the query's key name (RFC 8945 §5.2). Without a usable algorithm name, the TSIG
   * record is left out.
   */
  public byte[] failure(Message query, Verdict v) {
    Message m = new Message(query.getHeader().getID());
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(query.getHeader().getOpcode());
    h.setRcode(Rcode.NOTAUTH);
    if (query.getQuestion() != null) {
      m.addRecord(query.getQuestion(), Section.QUESTION);
    }
    TSIGRecord sig = query.getTSIG();
    TSIG signer = v.key();
    if (signer == null) {
      try {
        // Only the key name, the algorithm and our time show in an unsigned error; the secret is
        // never used.
        signer =
            new TSIG(
                sig.getAlgorithm(),
                sig.getName(),
                new SecretKeySpec(new byte[32], TSIG.nameToAlgorithm(sig.getAlgorithm())),
                clock);
      } catch (IllegalArgumentException unknownAlgorithm) {
        return m.toWire();
      }
    }
    m.setTSIG(signer, v.error(), sig);
    return m.toWire(65535);
  }

  /**
   * Signs {@code answer} to a verified query, as its last step before {@link Message#toWire(int)}.
   */
  public static void sign(Message answer, Message query, Verdict v) {
    answer.setTSIG(v.key(), Rcode.NOERROR, query.getTSIG());
  }

  private void logFailure(InetAddress client, TSIGRecord sig, int error) {
    long now = clock.millis();
    InetAddress who = client == null ? InetAddress.getLoopbackAddress() : client;
    if (lastLogged.size() > MAX_TRACKED_CLIENTS) {
      lastLogged.clear();
    }
    long[] entry = lastLogged.computeIfAbsent(who, k -> new long[] {Long.MIN_VALUE, 0});
    long suppressed;
    synchronized (entry) {
      if (entry[0] != Long.MIN_VALUE && now - entry[0] < LOG_EVERY.toMillis()) {
        entry[1]++;
        return;
      }
      suppressed = entry[1];
      entry[0] = now;
      entry[1] = 0;
    }
    LOG.warn(
        logPrefix
            + "TSIG check failed for a query from "
            + who.getHostAddress()
            + ": "
            + Rcode.TSIGstring(error)
            + " (key "
            + sig.getName()
            + ", algorithm "
            + sig.getAlgorithm()
            + "); answered NOTAUTH"
            + (suppressed > 0
                ? "; " + suppressed + " more failures from this client since its last line"
                : "")
            + "; logged at most once a minute per client");
  }
}
