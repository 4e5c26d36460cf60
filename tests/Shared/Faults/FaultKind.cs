namespace KernelZones.Testing.Faults;

/// <summary>What the fault proxy does to a connection when a fault fires.</summary>
internal enum FaultKind
{
    /// <summary>Holds the record it fires on for <see cref="FaultProxy.DelayTime"/>, then carries on normally.</summary>
    Delay,

    /// <summary>From the record it fires on, limits both directions to <see cref="FaultProxy.ThrottleBytesPerSecond"/>.</summary>
    Throttle,

    /// <summary>Forwards nothing more in either direction (until <see cref="FaultProxy.Release"/>) and keeps both connections open.</summary>
    Stall,

    /// <summary>Ends both connections with an orderly close (FIN) in place of the record.</summary>
    CutFin,

    /// <summary>Resets both connections (SO_LINGER 0, RST) in place of the record.</summary>
    CutRst,

    /// <summary>Flips one bit inside the record's protected body.</summary>
    Corrupt,

    /// <summary>Does not forward the record.</summary>
    Drop,

    /// <summary>Forwards the record twice.</summary>
    Duplicate,

    /// <summary>Holds the record and forwards it after the next one in the same direction.</summary>
    Reorder,
}

/// <summary>Which way bytes flow through the proxy.</summary>
internal enum FlowDirection
{
    /// <summary>From the connecting side (the migration source) to the target (the destination).</summary>
    Upstream,

    /// <summary>From the target back to the connecting side.</summary>
    Downstream,
}

/// <summary>How the proxy cuts a byte stream into records.</summary>
internal enum RecordFraming
{
    /// <summary>TLS records: 5-byte header with a 16-bit length (RFC 8446 §5.1).</summary>
    Tls,

    /// <summary>A stripe: a fixed-size handshake message, then 24-byte-header AEAD records with tags of <see cref="FaultProxy.StripeTagSize"/> bytes.</summary>
    Stripe,
}
