using MessagePack;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Reads the fields of one message body (a MessagePack array) in key order, with a bound on every
/// list and byte string, and turns every malformed input into a <see cref="MigrationException"/>.
/// </summary>
internal ref struct MessageFieldReader
{
    /// <summary>The most entries any list field may have.</summary>
    public const int MaxListCount = 64;

    private MessagePackReader _reader;
    private readonly string _message;
    private int _remaining;
    private int _key;

    public MessageFieldReader(scoped ref MessagePackReader reader, string message, int fieldCount, int requiredCount)
    {
        if (fieldCount < requiredCount)
        {
            throw MessageCodec.Malformed($"message {message} has {fieldCount} fields; this version needs at least {requiredCount}");
        }

        _reader = reader;
        _message = message;
        _remaining = fieldCount;
        _key = 0;
    }

    /// <summary>The reader positioned after the fields read so far (and any unknown trailing fields skipped).</summary>
    public MessagePackReader Finish()
    {
        // Fields added by a later protocol version are skipped, so that version ranges can overlap.
        while (_remaining-- > 0)
        {
            _reader.Skip();
        }

        return _reader;
    }

    public string ReadString(int maxLength = int.MaxValue) =>
        ReadNullableString(maxLength) ?? throw Field("must not be nil");

    public string? ReadNullableString(int maxLength = int.MaxValue)
    {
        Next();
        string? value = _reader.ReadString();
        if (value is not null && value.Length > maxLength)
        {
            throw Field($"is longer than {maxLength} characters");
        }

        return value;
    }

    public long ReadInt64()
    {
        Next();
        return _reader.ReadInt64();
    }

    public int ReadInt32()
    {
        Next();
        return _reader.ReadInt32();
    }

    public bool ReadBoolean()
    {
        Next();
        return _reader.ReadBoolean();
    }

    public byte[] ReadBytes(int maxLength)
    {
        Next();
        System.Buffers.ReadOnlySequence<byte>? bytes = _reader.ReadBytes();
        if (bytes is null)
        {
            throw Field("must not be nil");
        }

        if (bytes.Value.Length > maxLength)
        {
            throw Field($"is longer than {maxLength} bytes");
        }

        return System.Buffers.BuffersExtensions.ToArray(bytes.Value);
    }

    public Guid ReadGuid()
    {
        string text = ReadString(36);
        return Guid.TryParseExact(text, "D", out Guid id) ? id : throw Field($"'{text}' is not a GUID");
    }

    public IReadOnlyList<string> ReadStringList(int maxLength = 256)
    {
        int count = ReadListHeader();
        string[] values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = _reader.ReadString() ?? throw Field($"entry {i} must not be nil");
            if (values[i].Length > maxLength)
            {
                throw Field($"entry {i} is longer than {maxLength} characters");
            }
        }

        return values;
    }

    /// <summary>Reads the header of a list field and leaves the reader on its first entry.</summary>
    public int ReadListHeader()
    {
        Next();
        int count = _reader.ReadArrayHeader();
        return count <= MaxListCount ? count : throw Field($"has {count} entries; at most {MaxListCount} are allowed");
    }

    /// <summary>Moves to the next field without reading it, for fields that are nested structures read through <see cref="Inner"/>.</summary>
    public void EnterNested() => Next();

    /// <summary>The underlying reader, for list entries that are themselves arrays.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ref MessagePackReader Inner => ref _reader;

    public readonly MigrationException Field(string problem) =>
        MessageCodec.Malformed($"field {_key - 1} of message {_message} {problem}");

    private void Next()
    {
        if (_remaining-- <= 0)
        {
            throw MessageCodec.Malformed($"message {_message} ended before field {_key}");
        }

        _key++;
    }
}
