using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// The durable record of the zones a destination host receives, as <c>/etc/zones</c> is on Solaris: what a restart of
/// the host, or a crash of it, must still find. A hypervisor implements it over its own storage; a destination without
/// one keeps its zones only in memory.
/// </summary>
/// <remarks>
/// <para>Durable means: when <see cref="SaveAsync"/> has completed, the configuration survives a crash of the process
/// and of the machine (written, flushed to stable storage, and made visible by an atomic rename whose directory entry
/// is flushed too). A migration into the host calls <see cref="SaveAsync"/> once the source has suspended the zone, while
/// the last pre-copy round arrives, and waits for it before it tells the source that it is ready to commit, so a zone that the source gives up always exists on the
/// destination's storage; a save that fails refuses the commit and the source keeps its zone running.</para>
/// <para>A crash during the pre-copy rounds leaves no record. A migration that ends without a commit undoes its save: <see cref="DeleteAsync"/> for a zone it imported, or
/// <see cref="SaveAsync"/> with the configuration the host had before. After a crash before the commit the record
/// may outlive the migration: a configured, detached zone on the destination while the source runs it, which is what
/// Solaris leaves after a failed migration too, and never a second running copy.</para>
/// <para>Calls for one zone never overlap; calls for different zones may run concurrently.</para>
/// </remarks>
public interface IZoneStore
{
    /// <summary>Makes <paramref name="configuration"/> durable under its zone name, replacing any earlier record of that name.</summary>
    /// <param name="configuration">The zone's configuration, as the host will know it after a restart.</param>
    /// <param name="cancellationToken">Cancelled when the migration is abandoned.</param>
    /// <exception cref="Exception">Any failure: the migration is refused before its commit, with the exception's message.</exception>
    Task SaveAsync(ZoneConfiguration configuration, CancellationToken cancellationToken);

    /// <summary>Removes the durable record of <paramref name="zoneName"/>, if there is one.</summary>
    /// <param name="zoneName">The zone's name.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    Task DeleteAsync(string zoneName, CancellationToken cancellationToken);
}
