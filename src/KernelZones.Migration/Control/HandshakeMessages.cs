using KernelZones.Migration.Control.Internal;
using KernelZones.Migration.Negotiation;
using KernelZones.Migration.Transport.Ciphers;
using MessagePack;

namespace KernelZones.Migration.Control;

/// <summary>The first message in each direction: what this host speaks and offers.</summary>
/// <param name="MinVersion">The oldest protocol version this host accepts.</param>
/// <param name="MaxVersion">The newest protocol version this host speaks.</param>
/// <param name="HostName">The sender's host name, for messages and logs.</param>
/// <param name="CpuCount">The sender's CPU count; caps the stripe count.</param>
/// <param name="Ciphers">The data ciphers the sender supports, in its preference order (may include <c>none</c>).</param>
/// <param name="AllowNone">Whether the sender's operator allowed the unencrypted <c>none</c> cipher.</param>
/// <param name="CpuArchClasses">The <c>cpu-arch</c> migration classes the sender's CPU can run.</param>
/// <param name="HostCompatibleLevels">The <c>host-compatible</c> levels the sender's OS supports.</param>
/// <param name="FreeMemoryBytes">Memory the sender could reserve for a zone now, in bytes.</param>
/// <param name="Features">Optional protocol features the sender implements, by name.</param>
internal sealed record Hello(
    int MinVersion,
    int MaxVersion,
    string HostName,
    int CpuCount,
    IReadOnlyList<string> Ciphers,
    bool AllowNone,
    IReadOnlyList<string> CpuArchClasses,
    IReadOnlyList<string> HostCompatibleLevels,
    long FreeMemoryBytes,
    IReadOnlyList<string> Features) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Hello;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(10);
        writer.Write(MinVersion);
        writer.Write(MaxVersion);
        writer.Write(HostName);
        writer.Write(CpuCount);
        MessageFieldWriter.WriteStringList(ref writer, Ciphers);
        writer.Write(AllowNone);
        MessageFieldWriter.WriteStringList(ref writer, CpuArchClasses);
        MessageFieldWriter.WriteStringList(ref writer, HostCompatibleLevels);
        writer.Write(FreeMemoryBytes);
        MessageFieldWriter.WriteStringList(ref writer, Features);
    }

    /// <summary>
    /// The hello announcing <paramref name="offer"/> and the protocol versions this library speaks. Its cipher list
    /// holds <c>none</c> only when <see cref="HostOffer.AllowNone"/> is set: a host lists what it would accept.
    /// </summary>
    internal static Hello From(HostOffer offer) => new(
        ProtocolVersion.Minimum, ProtocolVersion.Current, offer.HostName, offer.CpuCount,
        offer.AllowNone ? offer.Ciphers : [.. offer.Ciphers.Where(c => c != CipherSuite.None)],
        offer.AllowNone, offer.CpuArchClasses, offer.HostCompatibleLevels, offer.FreeMemoryBytes, offer.Features);

    /// <summary>
    /// What a destination says before the source has authenticated: the protocol versions and features, nothing about
    /// the host (name, CPUs, ciphers, memory), which it sends in a second hello once the source has logged in.
    /// </summary>
    internal Hello ToGreeting() => this with
    {
        HostName = string.Empty, CpuCount = 0, Ciphers = [], AllowNone = false, CpuArchClasses = [], HostCompatibleLevels = [], FreeMemoryBytes = 0,
    };

    internal static Hello Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 10);
        var hello = new Hello(
            fields.ReadInt32(), fields.ReadInt32(), fields.ReadString(255), fields.ReadInt32(), fields.ReadStringList(64),
            fields.ReadBoolean(), fields.ReadStringList(), fields.ReadStringList(), fields.ReadInt64(), fields.ReadStringList());
        reader = fields.Finish();
        return hello;
    }
}

/// <summary>Server to client after the hellos: a fresh nonce that a key-based proof must sign.</summary>
/// <param name="Nonce">32 random bytes, new for every connection.</param>
internal sealed record AuthChallenge(byte[] Nonce) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.AuthChallenge;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Nonce);
    }

    internal static AuthChallenge Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 1);
        var message = new AuthChallenge(fields.ReadBytes(64));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Client to server: a user name and password (<c>rads://</c>); only ever sent inside TLS.</summary>
/// <param name="User">The user name.</param>
/// <param name="Password">The password, in clear text inside the TLS channel.</param>
internal sealed record PasswordAuthentication(string User, string Password) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.PasswordAuthentication;

    /// <summary>The message without the password, so that it never reaches a log.</summary>
    public override string ToString() => $"PasswordAuthentication {{ User = {User} }}";

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(User);
        writer.Write(Password);
    }

    internal static PasswordAuthentication Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 2);
        var message = new PasswordAuthentication(fields.ReadString(64), fields.ReadString(1024));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Client to server: proof of possession of a private key (<c>ssh://</c>).</summary>
/// <param name="User">The user name.</param>
/// <param name="PublicKey">The public key as an SSH wire blob (the base64-decoded middle field of an authorized_keys line).</param>
/// <param name="Signature">The signature over the session-bound challenge (IEEE P1363 r‖s for ECDSA).</param>
internal sealed record KeyAuthentication(string User, byte[] PublicKey, byte[] Signature) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.KeyAuthentication;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(User);
        writer.Write(PublicKey);
        writer.Write(Signature);
    }

    internal static KeyAuthentication Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 3);
        var message = new KeyAuthentication(fields.ReadString(64), fields.ReadBytes(1024), fields.ReadBytes(512));
        reader = fields.Finish();
        return message;
    }
}

/// <summary>Server to client: authentication and authorization succeeded.</summary>
/// <param name="User">The authenticated user.</param>
/// <param name="AllZones">Whether the user may migrate any zone in.</param>
/// <param name="Zones">The zones the user may migrate in, when <paramref name="AllZones"/> is <see langword="false"/>.</param>
internal sealed record Authenticated(string User, bool AllZones, IReadOnlyList<string> Zones) : ControlMessage
{
    /// <inheritdoc/>
    public override MessageKind Kind => MessageKind.Authenticated;

    internal override void WriteBody(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(User);
        writer.Write(AllZones);
        MessageFieldWriter.WriteStringList(ref writer, Zones);
    }

    internal static Authenticated Read(ref MessagePackReader reader, string name, int count)
    {
        var fields = new MessageFieldReader(ref reader, name, count, 3);
        var message = new Authenticated(fields.ReadString(64), fields.ReadBoolean(), fields.ReadStringList());
        reader = fields.Finish();
        return message;
    }
}
