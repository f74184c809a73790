package dev.quorumdns.node.runtime;

/**
 * One DNS record a node serves, in presentation form. Immutable.
 *
 * @param name absolute name with the trailing dot
 * @param type the type's mnemonic ({@code A}, {@code SOA}, ...)
 * @param data the record data as in a zone file
 */
public record ZoneRecord(String name, String type, long ttl, String data) {}
