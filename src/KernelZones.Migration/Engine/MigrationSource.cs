using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;
using KernelZones.Migration.Guests;
using KernelZones.Migration.Lifecycle;
using KernelZones.Migration.Negotiation;

namespace KernelZones.Migration.Engine;

/// <summary>
/// The source side of live migration (<c>zoneadm migrate</c>): moves a running zone of a <see cref="ZoneHost"/>
/// to a remote destination.
/// </summary>
/// <remarks>
/// Until the commit point any failure leaves the zone running on the source with its memory unchanged and
/// the destination cleaned up; the call throws <see cref="MigrationException"/>. After the commit the zone
/// is never resumed on the source: an unacknowledged commit is reported as <see cref="MigrationOutcome.InDoubt"/>.
/// Thread-safe: several zones may migrate at once; the same zone is refused while it is migrating out.
/// </remarks>
public sealed class MigrationSource
{
    private readonly ZoneHost _host;
    private readonly ControlClientOptions _control;

    /// <summary>Creates the source side for a host's zones.</summary>
    /// <param name="host">The zones that can be migrated.</param>
    /// <param name="control">How to reach and verify destinations (known hosts, trust on first use, timeouts); <see langword="null"/> uses the defaults.</param>
    public MigrationSource(ZoneHost host, ControlClientOptions? control = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _control = control ?? new ControlClientOptions();
    }

    /// <summary>Live-migrates <paramref name="zoneName"/>, which runs on <paramref name="guest"/>, to <paramref name="destination"/>.</summary>
    /// <param name="zoneName">A running <c>solaris-kz</c> zone on shared storage.</param>
    /// <param name="guest">The hypervisor's handle on the running zone.</param>
    /// <param name="destination">The destination's control service.</param>
    /// <param name="credential">A password or a key for the destination.</param>
    /// <param name="options">Cipher, limits, dry run, progress; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Cancels the migration (before the commit point; afterwards it only stops waiting).</param>
    /// <returns>The outcome and statistics.</returns>
    /// <exception cref="MigrationException">The migration failed before the commit point; the zone runs on the source, unchanged.</exception>
    public async Task<MigrationResult> MigrateAsync(
        string zoneName, IGuest guest, RemoteAddress destination, ControlCredential credential, MigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zoneName);
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(credential);
        var zone = _host.Find(zoneName) ?? throw new MigrationException(MigrationFailureKind.Compatibility, $"zone '{zoneName}': No such zone configured");
        var migration = new SourceMigration(zone, guest, options ?? new MigrationOptions(), _control.LoggerFactory);
        return await migration.RunAsync(destination, credential, _control, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ciphers both hosts support, as <c>zoneadm migrate -c list</c> prints them.</summary>
    /// <param name="destination">The destination's control service.</param>
    /// <param name="credential">A password or a key for the destination.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<CipherList> ListCiphersAsync(RemoteAddress destination, ControlCredential credential, CancellationToken cancellationToken = default)
    {
        var connection = await ControlClient.ConnectAsync(destination, credential, _control, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return new CipherList(connection.LocalHello.Ciphers, connection.PeerHello.Ciphers);
        }
    }

    /// <summary>Asks a destination what became of a migration whose commit was not acknowledged.</summary>
    /// <remarks>A destination keeps the outcomes of its last 1,024 finished migrations; ask soon after the in-doubt result, or get <see cref="IncomingMigrationState.Unknown"/>.</remarks>
    /// <param name="destination">The destination's control service.</param>
    /// <param name="credential">A password or a key for the destination.</param>
    /// <param name="migrationId">The migration's id (<see cref="MigrationResult.MigrationId"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IncomingMigrationState> QueryIncomingStateAsync(RemoteAddress destination, ControlCredential credential, Guid migrationId, CancellationToken cancellationToken = default)
    {
        var connection = await ControlClient.ConnectAsync(destination, credential, _control, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.SendAsync(new QueryIncomingState(migrationId), cancellationToken).ConfigureAwait(false);
            return (await connection.ReceiveAsync<IncomingState>(cancellationToken).ConfigureAwait(false)).State;
        }
    }
}
