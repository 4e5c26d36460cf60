using KernelZones.Migration.Control.Internal;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>
/// One message of the control protocol: a member of a versioned MessagePack union whose integer
/// key is <see cref="Kind"/> and whose body is an array of fields in key order.
/// </summary>
/// <remarks>
/// Messages are immutable. A later protocol version may append fields to a body; readers skip
/// fields they do not know and refuse bodies shorter than the fields they need. The
/// <see cref="UnionAttribute"/> list mirrors <see cref="MessageKind"/> so that generic MessagePack
/// tooling sees the same union; the library itself encodes with hand-written, AOT-safe code.
/// </remarks>
[Union((int)MessageKind.Hello, typeof(Hello))]
[Union((int)MessageKind.AuthChallenge, typeof(AuthChallenge))]
[Union((int)MessageKind.PasswordAuthentication, typeof(PasswordAuthentication))]
[Union((int)MessageKind.KeyAuthentication, typeof(KeyAuthentication))]
[Union((int)MessageKind.Authenticated, typeof(Authenticated))]
[Union((int)MessageKind.Acknowledged, typeof(Acknowledged))]
[Union((int)MessageKind.ImportConfiguration, typeof(ImportConfiguration))]
[Union((int)MessageKind.ConfigurationImported, typeof(ConfigurationImported))]
[Union((int)MessageKind.Attach, typeof(Attach))]
[Union((int)MessageKind.BootMigratingIn, typeof(BootMigratingIn))]
[Union((int)MessageKind.CheckCompatibility, typeof(CheckCompatibility))]
[Union((int)MessageKind.CompatibilityResult, typeof(CompatibilityResult))]
[Union((int)MessageKind.Negotiate, typeof(Negotiate))]
[Union((int)MessageKind.NegotiateResult, typeof(NegotiateResult))]
[Union((int)MessageKind.StartTransfer, typeof(StartTransfer))]
[Union((int)MessageKind.RoundComplete, typeof(RoundComplete))]
[Union((int)MessageKind.Switchover, typeof(Switchover))]
[Union((int)MessageKind.VerifyResult, typeof(VerifyResult))]
[Union((int)MessageKind.Commit, typeof(Commit))]
[Union((int)MessageKind.Resumed, typeof(Resumed))]
[Union((int)MessageKind.Abort, typeof(Abort))]
[Union((int)MessageKind.Error, typeof(ErrorMessage))]
[Union((int)MessageKind.QueryIncomingState, typeof(QueryIncomingState))]
[Union((int)MessageKind.IncomingState, typeof(IncomingState))]
internal abstract record ControlMessage
{
    private protected ControlMessage()
    {
    }

    /// <summary>The union key of this message type.</summary>
    public abstract MessageKind Kind { get; }

    /// <summary>Writes the body: an array header and the fields in key order.</summary>
    internal abstract void WriteBody(ref MessagePackWriter writer);

    /// <summary>Reads a body whose kind is already known.</summary>
    internal static ControlMessage ReadBody(MessageKind kind, ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader();
        string name = kind.ToString();
        return kind switch
        {
            MessageKind.Hello => Hello.Read(ref reader, name, count),
            MessageKind.AuthChallenge => AuthChallenge.Read(ref reader, name, count),
            MessageKind.PasswordAuthentication => PasswordAuthentication.Read(ref reader, name, count),
            MessageKind.KeyAuthentication => KeyAuthentication.Read(ref reader, name, count),
            MessageKind.Authenticated => Authenticated.Read(ref reader, name, count),
            MessageKind.Acknowledged => Acknowledged.Read(ref reader, name, count),
            MessageKind.ImportConfiguration => ImportConfiguration.Read(ref reader, name, count),
            MessageKind.ConfigurationImported => ConfigurationImported.Read(ref reader, name, count),
            MessageKind.Attach => Attach.Read(ref reader, name, count),
            MessageKind.BootMigratingIn => BootMigratingIn.Read(ref reader, name, count),
            MessageKind.CheckCompatibility => CheckCompatibility.Read(ref reader, name, count),
            MessageKind.CompatibilityResult => CompatibilityResult.Read(ref reader, name, count),
            MessageKind.Negotiate => Negotiate.Read(ref reader, name, count),
            MessageKind.NegotiateResult => NegotiateResult.Read(ref reader, name, count),
            MessageKind.StartTransfer => StartTransfer.Read(ref reader, name, count),
            MessageKind.RoundComplete => RoundComplete.Read(ref reader, name, count),
            MessageKind.Switchover => Switchover.Read(ref reader, name, count),
            MessageKind.VerifyResult => VerifyResult.Read(ref reader, name, count),
            MessageKind.Commit => Commit.Read(ref reader, name, count),
            MessageKind.Resumed => Resumed.Read(ref reader, name, count),
            MessageKind.Abort => Abort.Read(ref reader, name, count),
            MessageKind.Error => ErrorMessage.Read(ref reader, name, count),
            MessageKind.QueryIncomingState => QueryIncomingState.Read(ref reader, name, count),
            MessageKind.IncomingState => IncomingState.Read(ref reader, name, count),
            _ => throw MessageCodec.Malformed($"unknown message type {(int)kind}"),
        };
    }
}
