using FsCheck;
using FsCheck.Fluent;

namespace KernelZones.Testing.Fuzzing;

/// <summary>Generators of hostile input: random bytes and text, and mutations of valid samples.</summary>
internal static class Mutations
{
    private static readonly char[] s_interesting = ['\0', '\n', '\r', '\t', ' ', '$', '#', ',', ':', ';', '=', '/', '@', '[', ']', '%', '{', '}', '"', '\\', '-', '.', '*', 'é', '\uFFFF', '\uD800'];

    /// <summary>Random bytes of length 0 to <paramref name="maxLength"/>.</summary>
    public static Gen<byte[]> RandomBytes(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    /// <summary>Random text mixing printable ASCII with separators and awkward characters.</summary>
    public static Gen<string> RandomText(int maxLength) =>
        Gen.Choose(0, maxLength).SelectMany(n => Gen.ArrayOf(Gen.Frequency((6, Gen.Choose(32, 126).Select(c => (char)c)), (3, Gen.Elements(s_interesting))), n))
            .Select(chars => new string(chars));

    /// <summary>A valid sample, mutated one to four times (bit flips, truncation, insertion, duplication, splicing).</summary>
    public static Gen<byte[]> Mutated(IReadOnlyList<byte[]> samples) =>
        from sample in Gen.Elements(samples.ToArray())
        from rounds in Gen.Choose(1, 4)
        from seed in Gen.Choose(0, int.MaxValue)
        select Mutate(sample, samples, rounds, new Random(seed));

    /// <summary>A valid text sample, mutated as bytes of its UTF-8 form or as lines (dropped, duplicated, swapped).</summary>
    public static Gen<string> Mutated(IReadOnlyList<string> samples)
    {
        byte[][] utf8 = [.. samples.Select(System.Text.Encoding.UTF8.GetBytes)];
        return Gen.OneOf(
            Mutated(utf8).Select(System.Text.Encoding.UTF8.GetString),
            from sample in Gen.Elements(samples.ToArray())
            from seed in Gen.Choose(0, int.MaxValue)
            select MutateLines(sample, new Random(seed)));
    }

    /// <summary>Random input and mutated samples, half and half.</summary>
    public static Gen<byte[]> Hostile(IReadOnlyList<byte[]> samples, int maxRandomLength) =>
        Gen.Frequency((1, RandomBytes(maxRandomLength)), (3, Mutated(samples)));

    /// <summary>Random text and mutated samples.</summary>
    public static Gen<string> Hostile(IReadOnlyList<string> samples, int maxRandomLength) =>
        Gen.Frequency((1, RandomText(maxRandomLength)), (3, Mutated(samples)));

    private static byte[] Mutate(byte[] sample, IReadOnlyList<byte[]> samples, int rounds, Random random)
    {
        var bytes = new List<byte>(sample);
        for (int i = 0; i < rounds; i++)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    int bit = random.Next(bytes.Count * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    byte[] noise = new byte[random.Next(1, 17)];
                    random.NextBytes(noise);
                    bytes.InsertRange(at, noise);
                    break;
                case 3 when bytes.Count > 0:
                    int start = random.Next(bytes.Count);
                    int length = random.Next(1, Math.Min(64, bytes.Count - start) + 1);
                    bytes.InsertRange(at, bytes.GetRange(start, length));
                    break;
                case 4:
                    byte[] other = samples[random.Next(samples.Count)];
                    int from = random.Next(other.Length + 1);
                    bytes.RemoveRange(at, bytes.Count - at);
                    bytes.AddRange(other.AsSpan(from).ToArray());
                    break;
                case 5 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)(random.Next(2) == 0 ? 0xFF : random.Next(256));
                    break;
                default:
                    bytes.RemoveRange(Math.Min(at, bytes.Count), Math.Min(random.Next(1, 9), bytes.Count - Math.Min(at, bytes.Count)));
                    break;
            }
        }

        return [.. bytes];
    }

    private static string MutateLines(string sample, Random random)
    {
        var lines = sample.Split('\n').ToList();
        int at = random.Next(lines.Count);
        switch (random.Next(5))
        {
            case 0:
                lines.RemoveAt(at);
                break;
            case 1:
                lines.Insert(at, lines[random.Next(lines.Count)]);
                break;
            case 2:
                (lines[at], lines[^1]) = (lines[^1], lines[at]);
                break;
            case 3:
                lines[at] = lines[at] + s_interesting[random.Next(s_interesting.Length)];
                break;
            default:
                lines[at] = lines[at].Length > 0 ? lines[at][..random.Next(lines[at].Length)] : "\t";
                break;
        }

        return string.Join('\n', lines);
    }
}
