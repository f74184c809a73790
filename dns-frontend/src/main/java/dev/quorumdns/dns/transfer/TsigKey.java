package dev.quorumdns.dns.transfer;

import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * One shared TSIG key: its name, algorithm and secret. Immutable; {@link #toString()} never shows
 * the secret. Only HMAC-SHA256 keys are accepted (what {@code tsig-keygen} makes by default; RFC
 * 8945 requires it).
 */
public final class TsigKey {
  private final Name name;
  private final byte[] secret;

  /**
   * @param name the key's name, absolute and lower case (TSIG compares key names
   *     case-insensitively)
   * @param secret the decoded secret, at least 16 bytes
   */
  public TsigKey(Name name, byte[] secret) {
    Objects.requireNonNull(name, "name");
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("key name " + name + " is not absolute");
    }
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException(
          "key "
              + name
              + ": secret of "
              + (secret == null ? 0 : secret.length)
              + " bytes (expected: at least 16)");
    }
    this.name = name.canonicalize();
    this.secret = secret.clone();
  }

  public Name name() {
    return name;
  }

  public Name algorithm() {
    return TSIG.HMAC_SHA256;
  }

  /**
   * A dnsjava TSIG for this key, reading time from {@code clock} (signing and the BADTIME check).
   */
  public TSIG tsig(Clock clock) {
    return new TSIG(TSIG.HMAC_SHA256, name, new SecretKeySpec(secret, "HmacSHA256"), clock);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TsigKey k && k.name.equals(name) && Arrays.equals(k.secret, secret);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name + " (hmac-sha256)";
  }
}
