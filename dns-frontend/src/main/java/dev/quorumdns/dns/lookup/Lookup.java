package dev.quorumdns.dns.lookup;

import dev.quorumdns.registry.RegistryView;
import java.util.List;
import org.xbill.DNS.Record;

/**
 * The answer to one question, before it becomes a message (CoreDNS' lookup/result split). Immutable.
 *
 * @param authoritative whether AA is set (every answer from our own zones)
 * @param freshness     whether a cached copy of this answer may still be served, or null if it must not be
 *                      cached
 */
public record Lookup(Result result, boolean authoritative, List<Record> answer, List<Record> authority,
                     List<Record> additional, Freshness freshness) {

  /** What kind of answer this is. */
  public enum Result {
    /** Records in the answer section. */
    SUCCESS,
    /** The name exists but has no records of the type (NOERROR, empty answer, SOA in authority). */
    NO_DATA,
    /** The name does not exist (NXDOMAIN, SOA in authority). */
    NAME_ERROR,
    /** Outside our zones and not forwarded. */
    REFUSED,
    /** We cannot answer (state not loaded yet). */
    SERVER_FAILURE,
    /** Outside our zones: to be sent upstream. */
    FORWARD
  }

  /** Tells whether a cached answer still matches the registry. Cheap: called on every cache hit. */
  @FunctionalInterface
  public interface Freshness {
    boolean fresh(RegistryView view);
  }

  public Lookup {
    answer = List.copyOf(answer);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
  }

  static Lookup of(Result result, boolean aa, Freshness freshness) {
    return new Lookup(result, aa, List.of(), List.of(), List.of(), freshness);
  }
}
