using System.Runtime.InteropServices;
using System.Text;
using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// An <see cref="IZoneStore"/> over a directory of <c>zonecfg export</c> files, one <c><i>zonename</i>.cfg</c> per zone, as
/// <c>/etc/zones</c> keeps them. A save writes a temporary file, flushes it to stable storage, renames it over the zone's
/// file and flushes the directory, so that after a crash the file is either the old one or the new one, complete.
/// </summary>
/// <remarks>
/// Thread-safe. Leftover temporary files (<c>*.cfg.new</c>, from a crash during a save) are never read and are
/// replaced by the next save. The directory is flushed with <c>fsync</c> on Linux and macOS; on Windows the file
/// system's journal makes the rename durable.
/// </remarks>
public sealed partial class ZoneDirectory : IZoneStore
{
    /// <summary>The extension of a zone's file: <c>.cfg</c>.</summary>
    public const string Extension = ".cfg";

    private const string TemporarySuffix = ".new";

    /// <summary>Uses <paramref name="path"/>, creating it if it does not exist.</summary>
    /// <param name="path">The directory.</param>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public ZoneDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The file that holds <paramref name="zoneName"/>'s configuration.</summary>
    /// <param name="zoneName">A zone name.</param>
    public string FileOf(string zoneName)
    {
        ArgumentException.ThrowIfNullOrEmpty(zoneName);
        if (zoneName.AsSpan().IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || zoneName is "." or "..")
        {
            throw new ArgumentException($"'{zoneName}' cannot be a file name.", nameof(zoneName));
        }

        return System.IO.Path.Combine(Path, zoneName + Extension);
    }

    /// <summary>Every saved configuration, in the order of the zone names.</summary>
    /// <exception cref="ZoneConfigurationException">A file does not hold a valid configuration; the message names the file.</exception>
    public IReadOnlyList<ZoneConfiguration> Load()
    {
        var zones = new List<ZoneConfiguration>();
        foreach (string file in Directory.EnumerateFiles(Path, "*" + Extension).Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(file);
            try
            {
                zones.Add(ZoneConfiguration.ParseExport(File.ReadAllText(file), name));
            }
            catch (ZoneConfigurationException ex)
            {
                throw new ZoneConfigurationException($"{file}: {ex.Problem}", ex.Expected, ex.LineNumber, ex.LineText, ex);
            }
        }

        return zones;
    }

    /// <inheritdoc/>
    public async Task SaveAsync(ZoneConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string file = FileOf(configuration.ZoneName);
        string temporary = file + TemporarySuffix;
        byte[] text = Encoding.UTF8.GetBytes(configuration.ToExport());
        var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(text, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, file, overwrite: true);
        FlushDirectory();
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string zoneName, CancellationToken cancellationToken)
    {
        string file = FileOf(zoneName);
        File.Delete(file + TemporarySuffix);
        if (File.Exists(file))
        {
            File.Delete(file);
            FlushDirectory();
        }

        return Task.CompletedTask;
    }

    /// <summary>Makes the directory's entries (a rename, a deletion) durable.</summary>
    private void FlushDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int descriptor = Open(Path, OpenReadOnly | (OperatingSystem.IsLinux() ? OpenDirectoryLinux : 0));
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {Path} to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot flush {Path}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private const int OpenReadOnly = 0;
    private const int OpenDirectoryLinux = 0x10000; // O_DIRECTORY on x86-64 and arm64 Linux

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
