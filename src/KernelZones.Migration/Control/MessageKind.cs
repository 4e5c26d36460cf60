namespace KernelZones.Migration.Control;

/// <summary>The union keys of the control protocol's messages; wire values, never renumbered.</summary>
internal enum MessageKind
{
    /// <summary><see cref="Control.Hello"/>.</summary>
    Hello = 1,

    /// <summary><see cref="Control.AuthChallenge"/>.</summary>
    AuthChallenge = 2,

    /// <summary><see cref="Control.PasswordAuthentication"/>.</summary>
    PasswordAuthentication = 3,

    /// <summary><see cref="Control.KeyAuthentication"/>.</summary>
    KeyAuthentication = 4,

    /// <summary><see cref="Control.Authenticated"/>.</summary>
    Authenticated = 5,

    /// <summary><see cref="Control.Acknowledged"/>.</summary>
    Acknowledged = 6,

    /// <summary><see cref="Control.ImportConfiguration"/>.</summary>
    ImportConfiguration = 10,
    /// <summary>Destination to source: the configuration is in place, imported or already there (<see cref="Control.ConfigurationImported"/>).</summary>
    ConfigurationImported = 17,


    /// <summary><see cref="Control.Attach"/>.</summary>
    Attach = 11,

    /// <summary><see cref="Control.BootMigratingIn"/>.</summary>
    BootMigratingIn = 12,

    /// <summary><see cref="Control.CheckCompatibility"/>.</summary>
    CheckCompatibility = 13,

    /// <summary><see cref="Control.CompatibilityResult"/>.</summary>
    CompatibilityResult = 14,

    /// <summary><see cref="Control.Negotiate"/>.</summary>
    Negotiate = 15,

    /// <summary><see cref="Control.NegotiateResult"/>.</summary>
    NegotiateResult = 16,

    /// <summary><see cref="Control.StartTransfer"/>.</summary>
    StartTransfer = 20,

    /// <summary><see cref="Control.RoundComplete"/>.</summary>
    RoundComplete = 21,

    /// <summary><see cref="Control.Switchover"/>.</summary>
    Switchover = 22,

    /// <summary><see cref="Control.VerifyResult"/>.</summary>
    VerifyResult = 23,

    /// <summary><see cref="Control.Commit"/>.</summary>
    Commit = 24,

    /// <summary><see cref="Control.Resumed"/>.</summary>
    Resumed = 25,

    /// <summary><see cref="Control.Abort"/>.</summary>
    Abort = 30,

    /// <summary><see cref="ErrorMessage"/>.</summary>
    Error = 31,

    /// <summary><see cref="Control.QueryIncomingState"/>.</summary>
    QueryIncomingState = 32,

    /// <summary><see cref="Control.IncomingState"/>.</summary>
    IncomingState = 33,
}
