package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DnsFamilyViewTest {
  private static final CompositeChecker STANDARD =
      Checkers.standard(Duration.ofSeconds(5), 0.0, Duration.ofSeconds(5));

  private static void put(TestHistory h, String name, String vip, String vip6) {
    Op inv = h.invoke(1, OpKind.REGISTER, "n1", name, "10.0.0.1:80");
    h.complete(inv, inv.complete(OpType.OK, "10.0.0.1:80", vip, "created").withVip6(vip6));
  }

  private static void aaaa(TestHistory h, String name, String address) {
    Op inv = h.invoke(2, OpKind.RESOLVE_AAAA, "n2", name, null);
    h.complete(inv, inv.complete(OpType.OK, null, null, "NOERROR").withVip6(address));
  }

  private static void ptr(TestHistory h, String address, String named) {
    Op inv = h.invoke(2, OpKind.RESOLVE_PTR, "n2", null, address);
    h.complete(inv, inv.complete(OpType.OK, named, null, named == null ? "NXDOMAIN" : "NOERROR"));
  }

  private static TestHistory registered() {
    TestHistory h = new TestHistory();
    put(h, "chaos/a", "240.0.0.1", "fd00:0:0:0:0:0:0:1");
    put(h, "chaos/b", "240.0.0.2", "fd00:0:0:0:0:0:0:2");
    return h;
  }

  @Test
  void answersThatMatchTheRegistryAreValid() {
    TestHistory h = registered();
    aaaa(h, "chaos/a", "fd00:0:0:0:0:0:0:1");
    ptr(h, "240.0.0.2", "chaos/b");
    ptr(h, "fd00:0:0:0:0:0:0:1", "chaos/a");
    ptr(h, "240.0.0.9", null);
    var r = STANDARD.check(h.history());
    for (String c : new String[] {"aaaa:vip-stable", "ptr4:vip-stable", "ptr6:vip-unique"}) {
      assertEquals(Validity.VALID, r.results().get(c).validity(), () -> r.results().toString());
    }
  }

  @Test
  void anAaaaAnswerWithAnotherAddressIsCaught() {
    TestHistory h = registered();
    aaaa(h, "chaos/a", "fd00:0:0:0:0:0:0:2");
    var r = STANDARD.check(h.history());
    assertEquals(Validity.INVALID, r.results().get("aaaa:vip-stable").validity());
  }

  @Test
  void aPtrAnswerNamingAnotherServiceIsCaught() {
    TestHistory h = registered();
    ptr(h, "240.0.0.1", "chaos/b");
    ptr(h, "fd00:0:0:0:0:0:0:2", "chaos/a");
    var r = STANDARD.check(h.history());
    assertEquals(Validity.INVALID, r.results().get("ptr4:vip-stable").validity());
    assertEquals(Validity.INVALID, r.results().get("ptr6:vip-stable").validity());
  }
}
