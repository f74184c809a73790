package dev.quorumdns.node.tls;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Seeded randomness for certificates made in tests, so a failing run can be repeated. */
final class TestRandom {
  private TestRandom() {}

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
