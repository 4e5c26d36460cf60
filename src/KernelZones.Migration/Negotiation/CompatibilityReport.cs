namespace KernelZones.Migration.Negotiation;

/// <summary>The outcome of the compatibility check: every problem found.</summary>
/// <param name="Problems">One operator sentence per problem; empty when the zone can resume on the destination.</param>
internal sealed record CompatibilityReport(IReadOnlyList<string> Problems)
{
    /// <summary>Whether no problem was found.</summary>
    public bool IsCompatible => Problems.Count == 0;

    /// <summary>As <c>zoneadm</c> prints it: <c>configuration check failed:</c> then one <c>error: ...</c> line per problem; empty when compatible.</summary>
    public string Render() =>
        IsCompatible ? string.Empty : "configuration check failed:\n" + string.Join('\n', Problems.Select(p => "error: " + p));

    /// <summary>Throws when a problem was found.</summary>
    /// <exception cref="MigrationException">The rendered report (<see cref="MigrationFailureKind.Compatibility"/>).</exception>
    public void ThrowIfIncompatible()
    {
        if (!IsCompatible)
        {
            throw new MigrationException(MigrationFailureKind.Compatibility, Render());
        }
    }
}
