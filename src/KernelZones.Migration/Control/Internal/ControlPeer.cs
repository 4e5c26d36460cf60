using System.Net;
using KernelZones.Migration.Authentication;

namespace KernelZones.Migration.Control.Internal;

/// <summary>What the handshake established about a connection.</summary>
internal sealed record ControlPeer(string User, ZoneAuthorization Authorization, Hello LocalHello, Hello PeerHello, int ProtocolVersion, EndPoint? RemoteEndPoint);
