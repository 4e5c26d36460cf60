using System.Buffers;

namespace KernelZones.Migration.Storage;

/// <summary>Character sets used by the storage URI and configuration readers.</summary>
internal static class CharSets
{
    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    public static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static bool AllDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(Digits);

    public static bool AllHexDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(HexDigits);
}
