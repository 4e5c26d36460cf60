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
    /// <c>raw redacted</c> becomes a <see cref="ZoneProperty.IsRedacted"/> property.
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

    /// <summary>Writes <c>zonecfg info</c> output; keys always print as <c>raw redacted</c>.</summary>
    /// <param name="labelResourceIds">Label resources with their id (<c>anet 0:</c>) as interactive zonecfg does; default plain headers.</param>
    public string ToInfo(bool labelResourceIds = false) => InfoWriter.Write(this, labelResourceIds);
}
