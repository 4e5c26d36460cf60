using MessagePack;

namespace KernelZones.Migration.Control.Internal;

/// <summary>Writes the field shapes messages share.</summary>
internal static class MessageFieldWriter
{
    public static void WriteStringList(ref MessagePackWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteArrayHeader(values.Count);
        foreach (string value in values)
        {
            writer.Write(value);
        }
    }

    public static void WriteGuid(ref MessagePackWriter writer, Guid value) => writer.Write(value.ToString("D"));
}
