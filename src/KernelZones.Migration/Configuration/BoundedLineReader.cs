using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>Reads lines from a <see cref="TextReader"/> with a bound on line length and on total text, before allocating.</summary>
internal sealed class BoundedLineReader
{
    public const int MaxLineLength = 8192;
    public const int MaxTextLength = 32 * 1024 * 1024;

    private readonly TextReader _reader;
    private readonly StringBuilder _line = new();
    private readonly char[] _buffer = new char[4096];
    private int _start;
    private int _end;
    private long _total;

    public BoundedLineReader(TextReader reader) => _reader = reader;

    public int LineNumber { get; private set; }

    /// <summary>Reads the next line without its terminator ("\n", "\r\n"), or returns <see langword="null"/> at the end.</summary>
    public string? ReadLine()
    {
        _line.Clear();
        bool any = false;
        while (true)
        {
            if (_start == _end && !Fill())
            {
                return any ? Finish() : null;
            }

            any = true;
            ReadOnlySpan<char> chunk = _buffer.AsSpan(_start, _end - _start);
            int newline = chunk.IndexOf('\n');
            ReadOnlySpan<char> part = newline < 0 ? chunk : chunk[..newline];
            if (_line.Length + part.Length > MaxLineLength)
            {
                throw new ZoneConfigurationException($"line is longer than {MaxLineLength} characters", "shorter lines", LineNumber + 1,
                    string.Concat(_line.ToString().AsSpan(0, Math.Min(_line.Length, 64)), "..."));
            }

            _line.Append(part);
            _start += newline < 0 ? part.Length : newline + 1;
            if (newline >= 0)
            {
                return Finish();
            }
        }
    }

    private string Finish()
    {
        LineNumber++;
        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }

        return _line.ToString();
    }

    private bool Fill()
    {
        _start = 0;
        _end = _reader.Read(_buffer, 0, _buffer.Length);
        _total += _end;
        if (_total > MaxTextLength)
        {
            throw new ZoneConfigurationException($"configuration text is longer than {MaxTextLength} characters", "a shorter configuration", LineNumber + 1);
        }

        return _end > 0;
    }
}
