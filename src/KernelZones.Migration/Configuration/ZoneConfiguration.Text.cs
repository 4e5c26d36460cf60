namespace KernelZones.Migration.Configuration;

/// <summary>The zonecfg text forms: <c>export</c> command files and <c>info</c> output.</summary>
public sealed partial class ZoneConfiguration
{
    /// <summary>
    /// Parses a zonecfg command file (<c>zonecfg -z zone export</c> output): <c>create -b</c>, <c>set name=value</c>
    /// (double-quoted values with <c>\"</c> escapes), <c>add type</c> … <c>end</c>; blank lines and <c>#</c> comments
    /// are ignored. Lines are at most 8,192 characters, the text at most 32 Mi characters.
    /// </summary>
    /// <param name="text">The command file.</param>
    /// <param name="zoneName">The zone to configure (export text has no zone name); a <c>set zonename=</c> line renames it.</param>
    /// <exception cref="ZoneConfigurationException">The text is invalid; names the line, its text and what was expected.</exception>
    public static ZoneConfiguration ParseExport(string text, string zoneName)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return ParseExport(reader, zoneName);
    }

    /// <summary>Parses a zonecfg command file from a reader; see <see cref="ParseExport(string, string)"/>.</summary>
    /// <exception cref="ZoneConfigurationException">The text is invalid.</exception>
    public static ZoneConfiguration ParseExport(TextReader reader, string zoneName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(zoneName);
        return ExportReader.Read(reader, zoneName);
    }

    /// <summary>
    /// Parses <c>zonecfg info</c> output, plain (<c>device:</c>) or interactive (<c>device 0:</c>). A key shown as
    /// <c>raw redacted</c> stays redacted: its value is unknown (<see cref="ZoneResource.GetValue"/> returns <see langword="null"/>). <c>name not specified</c>,
    /// an empty <c>name: </c> and a value Solaris shows for an unset property (<c>autoboot: false</c>,
    /// <c>autoshutdown: shutdown</c>, an <c>anet</c>'s <c>configure-allowed-address: true</c>, <c>iov: off</c>,
    /// <c>lro: auto</c>) leave the property unset: <c>info</c> cannot tell them from one set to that value.
    /// Reading <see cref="ToInfo()"/>'s text gives back its text exactly.
    /// </summary>
    /// <exception cref="ZoneConfigurationException">The text is invalid; names the line, its text and what was expected.</exception>
    public static ZoneConfiguration ParseInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return ParseInfo(reader);
    }

    /// <summary>Parses <c>zonecfg info</c> output from a reader; see <see cref="ParseInfo(string)"/>.</summary>
    /// <exception cref="ZoneConfigurationException">The text is invalid.</exception>
    public static ZoneConfiguration ParseInfo(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return InfoReader.Read(reader);
    }

    /// <summary>
    /// Writes the zonecfg command file: <c>create -b</c>, the global properties, then <c>add</c>/<c>set</c>/<c>end</c>
    /// per resource, in stored order, "\n" line ends. Equal configurations give identical text. This is the form
    /// sent to a migration destination.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key was read as <c>raw redacted</c> and is unknown.</exception>
    public string ToExport() => ExportWriter.Write(this);

    /// <summary>
    /// Writes <c>zonecfg info</c> output as Solaris 11.3 prints it for a kernel zone: every global property a kernel zone
    /// has, unset ones as <c>name: </c> (<c>autoboot</c>, <c>autoshutdown</c> with their defaults), then each resource
    /// with every property of its type, unset ones as <c>name not specified</c> or Solaris's default (an <c>anet</c>'s
    /// <c>configure-allowed-address: true</c>, <c>iov: off</c>, <c>lro: auto</c>), a resource value containing a space
    /// in double quotes, a template as <c>name.template:</c> followed by the expanded value, and a key as
    /// <c>raw redacted</c>. "\n" line ends; <see cref="ParseInfo(string)"/> reads it back.
    /// </summary>
    public string ToInfo() => InfoWriter.Write(this, labelResourceIds: false);

    /// <summary>Writes <c>zonecfg info</c> output as <see cref="ToInfo()"/> does, optionally with interactive zonecfg's resource headings.</summary>
    /// <param name="labelResourceIds">Label resources with their id (<c>anet 0:</c>) as interactive zonecfg does, or plain headers (<c>anet:</c>).</param>
    public string ToInfo(bool labelResourceIds) => InfoWriter.Write(this, labelResourceIds);

    /// <summary>
    /// Writes <c>zonecfg info &lt;resource-type&gt;</c> or <c>zonecfg info &lt;global-property&gt;</c>: every resource of the
    /// type in the form of <see cref="ToInfo()"/> (nothing when the zone has none, e.g. <c>info suspend</c>), or
    /// the property's line (also when it is unset, e.g. <c>cpu-arch: </c>; a template as <c>zonepath.template:</c>
    /// then <c>zonepath:</c>).
    /// </summary>
    /// <param name="scope">A global property (<c>cpu-arch</c>, <c>zonepath</c>, ...) or a resource type (<c>suspend</c>, <c>anet</c>, ...).</param>
    /// <exception cref="ArgumentException"><paramref name="scope"/> is neither a global property nor a resource type that a zone configuration has or this one holds.</exception>
    public string ToInfo(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return InfoWriter.Write(this, scope, labelResourceIds: false)
            ?? throw new ArgumentException($"'{scope}' is neither a global property nor a resource type of a zone configuration", nameof(scope));
    }
}
