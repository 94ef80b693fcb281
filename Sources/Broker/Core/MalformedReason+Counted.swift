import Wire

/// Malformed datagrams are counted per kind of `WireError`, beside the refusals.
extension MalformedReason: CountedReason {}
