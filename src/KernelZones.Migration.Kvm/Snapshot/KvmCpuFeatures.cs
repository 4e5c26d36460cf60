using System.Globalization;
using System.Text;
using KernelZones.Migration.Kvm.Interop;

namespace KernelZones.Migration.Kvm.Snapshot;

/// <summary>
/// The CPUID feature words a guest was started with (or a host's KVM offers): the leaves a guest's code tests before
/// it uses an instruction set extension or an XSAVE component. A guest may move only to a host whose KVM offers every
/// feature bit it has: an instruction the destination lacks would fault after the resume, where nothing can be undone.
/// </summary>
/// <remarks>
/// The text form is <c>1.ecx:0x…,1.edx:0x…,…</c> in the order of <see cref="s_words"/>. Bits that mirror control
/// registers rather than the CPU (OSXSAVE, OSPKE) are masked out: KVM flips them in a running guest's CPUID when it
/// sets CR4.
/// </remarks>
internal sealed class KvmCpuFeatures : IEquatable<KvmCpuFeatures>
{
    private static readonly CpuidWord[] s_words =
    [
        new("1.ecx", 0x1, 0, Register.Ecx, ~(1u << 27)),  // OSXSAVE mirrors CR4.OSXSAVE
        new("1.edx", 0x1, 0, Register.Edx, ~0u),
        new("7.ebx", 0x7, 0, Register.Ebx, ~0u),
        new("7.ecx", 0x7, 0, Register.Ecx, ~(1u << 4)),   // OSPKE mirrors CR4.PKE
        new("7.edx", 0x7, 0, Register.Edx, ~0u),
        new("d.eax", 0xD, 0, Register.Eax, ~0u),          // XCR0 components XSAVE may hold
        new("80000001.ecx", 0x8000_0001, 0, Register.Ecx, ~0u),
        new("80000001.edx", 0x8000_0001, 0, Register.Edx, ~0u),
    ];

    private readonly uint[] _values;

    private KvmCpuFeatures(uint[] values)
    {
        _values = values;
    }

    private enum Register
    {
        Eax,
        Ebx,
        Ecx,
        Edx,
    }

    /// <summary>The feature words of a CPUID table (a vCPU's or KVM's supported one); a missing leaf counts as no features.</summary>
    public static KvmCpuFeatures From(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        uint[] values = new uint[s_words.Length];
        for (int w = 0; w < s_words.Length; w++)
        {
            CpuidWord word = s_words[w];
            foreach (KvmCpuidEntry2 entry in entries)
            {
                if (entry.Function == word.Function && entry.Index == word.Index)
                {
                    values[w] = word.Register switch
                    {
                        Register.Eax => entry.Eax,
                        Register.Ebx => entry.Ebx,
                        Register.Ecx => entry.Ecx,
                        _ => entry.Edx,
                    } & word.Mask;
                    break;
                }
            }
        }

        return new KvmCpuFeatures(values);
    }

    /// <summary>Parses the text form; false when a word is missing, unknown, repeated or not hexadecimal.</summary>
    public static bool TryParse(string text, out KvmCpuFeatures? features)
    {
        features = null;
        string[] parts = text.Split(',');
        if (parts.Length != s_words.Length)
        {
            return false;
        }

        uint[] values = new uint[s_words.Length];
        for (int w = 0; w < s_words.Length; w++)
        {
            string prefix = s_words[w].Name + ":0x";
            if (!parts[w].StartsWith(prefix, StringComparison.Ordinal)
                || !uint.TryParse(parts[w].AsSpan(prefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out values[w]))
            {
                return false;
            }
        }

        features = new KvmCpuFeatures(values);
        return true;
    }

    /// <summary>The bits this set has and <paramref name="host"/> lacks, as <c>7.ebx:0x20</c> words; <see langword="null"/> when the host has them all.</summary>
    public string? MissingFrom(KvmCpuFeatures host)
    {
        ArgumentNullException.ThrowIfNull(host);
        StringBuilder? missing = null;
        for (int w = 0; w < s_words.Length; w++)
        {
            uint lacking = _values[w] & ~host._values[w];
            if (lacking != 0)
            {
                missing = (missing is null ? new StringBuilder() : missing.Append(' '))
                    .Append(CultureInfo.InvariantCulture, $"{s_words[w].Name}:0x{lacking:x}");
            }
        }

        return missing?.ToString();
    }

    /// <summary>The same words with bit <paramref name="bit"/> of word <paramref name="word"/> set (for tests: a feature no host has).</summary>
    public KvmCpuFeatures WithBit(int word, int bit)
    {
        uint[] values = (uint[])_values.Clone();
        values[word] |= 1u << bit;
        return new KvmCpuFeatures(values);
    }

    /// <summary>The first (word, bit) this set lacks, or <see langword="null"/> when every bit is set.</summary>
    public (int Word, int Bit)? FirstClearBit()
    {
        for (int w = 0; w < _values.Length; w++)
        {
            uint clear = ~_values[w] & s_words[w].Mask;
            if (clear != 0)
            {
                return (w, System.Numerics.BitOperations.TrailingZeroCount(clear));
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public bool Equals(KvmCpuFeatures? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is KvmCpuFeatures other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_values[0], _values[2], _values[5]);

    /// <summary>The text form, <c>1.ecx:0x…,1.edx:0x…,…</c>.</summary>
    public override string ToString() =>
        string.Join(',', s_words.Select((word, w) => string.Create(CultureInfo.InvariantCulture, $"{word.Name}:0x{_values[w]:x}")));

    private sealed record CpuidWord(string Name, uint Function, uint Index, Register Register, uint Mask);
}
