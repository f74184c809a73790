package dev.quorumdns.dns.lookup;

import java.util.List;
import org.xbill.DNS.Record;

/**
 * The answer to one question before it becomes a message (CoreDNS' lookup/result split): a result,
 * the three sections, and how long a wire-form copy of it stays right. Immutable.
 *
 * @param authoritative whether AA is set (every answer from one of our zones)
 * @param validity tells whether a cached copy may still be served; null if it must not be cached
 */
public record Lookup(
    Result result,
    boolean authoritative,
    List<Record> answer,
    List<Record> authority,
    List<Record> additional,
    Validity validity) {

  /** What kind of answer this is. */
  public enum Result {
    /** Records in the answer section (NOERROR). */
    SUCCESS,
    /** The name exists but has no records of the type: NOERROR, empty answer, SOA in authority. */
    NO_DATA,
    /** The name does not exist: NXDOMAIN, SOA in authority. */
    NAME_ERROR,
    /** The name is outside every zone we serve; the handler may forward it instead. */
    REFUSED,
    /** We cannot answer now (state not loaded yet). Never cached. */
    SERVER_FAILURE
  }

  public Lookup {
    answer = List.copyOf(answer);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
  }

  static Lookup empty(Result result, Validity validity) {
    return new Lookup(result, false, List.of(), List.of(), List.of(), validity);
  }
}
