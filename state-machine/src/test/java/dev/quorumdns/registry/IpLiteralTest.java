package dev.quorumdns.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IPv4 literals are read one way only: four decimal numbers. Forms that other parsers read
 * differently (octal-looking leading zeros, fewer parts) are refused rather than guessed, so a
 * static VIP is the address its author meant on every replica and in every tool.
 */
class IpLiteralTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "010.0.0.1",
        "240.0.0.010",
        "240.00.0.1",
        "00.0.0.0",
        "1.2.3.09",
        "0x7f.0.0.1",
        "127.1",
        "2130706433",
        "1.2.3.4 ",
        "+1.2.3.4",
        "1.2.3.-4",
        "\uff11.2.3.4"
      })
  void ambiguousOrForeignFormsAreRefused(String text) {
    ValidationException e =
        assertThrows(ValidationException.class, () -> IpAddresses.parse4("vip4", text));
    assertEquals("vip4", e.field());
    assertTrue(e.getMessage().startsWith("vip4: '"), e.getMessage());
    if (IpAddresses.looksLiteral(text)) {
      assertThrows(
          ValidationException.class,
          () -> new Endpoint(text, null, null),
          "as an endpoint address");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"0.0.0.0", "10.0.0.1", "240.0.0.10", "255.255.255.255", "100.20.3.0"})
  void decimalQuadsAreKeptAsWritten(String text) {
    assertEquals(text, IpAddresses.format(IpAddresses.parse4("vip4", text)));
    assertEquals(text, new Endpoint(text, null, null).address());
  }
}
