package com.flashsale;

/** Marker for every message, event and snapshot: bound to Jackson CBOR in serialization.conf. */
public interface CborSerializable {}
