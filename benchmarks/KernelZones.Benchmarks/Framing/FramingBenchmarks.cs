using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using KernelZones.Benchmarks.Columns;
using KernelZones.Migration.Transport.Ciphers;
using KernelZones.Migration.Transport.Framing;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Benchmarks.Framing;

/// <summary>
/// One record through the framing layer, per cipher and payload size: sealed by <see cref="RecordSealer"/>
/// straight into a <see cref="Pipe"/>'s writer, flushed, read back and opened by <see cref="RecordOpener"/>
/// straight into a fixed destination. The baseline of each (cipher, size) group is the BCL call pair the
/// framing wraps, <see cref="AesCcm"/>/<see cref="AesGcm"/> <c>Encrypt</c> then <c>Decrypt</c> on fixed arrays
/// with a header's worth (24 bytes) of associated data, or for <c>none</c> two plain copies. The target is for ours
/// to reach 0.95x the baseline at 64 KiB with 0 B allocated per operation.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[Config(typeof(SizeThroughputConfig))]
public class FramingBenchmarks : IDisposable
{
    private const string RoundTripCategory = "SealOpen";

    private readonly byte[] _associatedData = new byte[RecordHeader.Size];
    private readonly byte[] _nonce = new byte[12];
    private byte[] _payload = [];
    private byte[] _ciphertext = [];
    private byte[] _destination = [];
    private byte[] _tag = [];
    private Pipe? _pipe;
    private RecordSealer? _sealer;
    private RecordOpener? _opener;
    private AesCcm? _ccm;
    private AesGcm? _gcm;
    private long _position;

    [Params(CipherSuite.Aes128Ccm, CipherSuite.Aes128Gcm, CipherSuite.None)]
    public string Cipher { get; set; } = CipherSuite.Aes128Ccm;

    [Params(4 * 1024, 64 * 1024, 256 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = RandomNumberGenerator.GetBytes(Size);
        _ciphertext = new byte[Size];
        _destination = new byte[Size];
        _tag = new byte[CipherSuite.GetTagSize(Cipher)];
        RandomNumberGenerator.Fill(_associatedData);

        // No pausing: the writer never waits for the reader, so FlushAsync completes synchronously.
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        using var schedule = new SessionKeySchedule(RandomNumberGenerator.GetBytes(SessionKeySchedule.SecretSize), Guid.NewGuid());
        var options = new RecordOptions { MaxPayloadLength = RecordOptions.DefaultMaxPayloadLength };
        _sealer = new RecordSealer(schedule.CreateStreamKeys(0, StreamDirection.SourceToDestination, Cipher), options);
        _opener = new RecordOpener(schedule.CreateStreamKeys(0, StreamDirection.SourceToDestination, Cipher), options);

        byte[] key = RandomNumberGenerator.GetBytes(CipherSuite.KeySize);
        _ccm = Cipher == CipherSuite.Aes128Ccm ? new AesCcm(key) : null;
        _gcm = Cipher == CipherSuite.Aes128Gcm ? new AesGcm(key, 16) : null;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(RoundTripCategory)]
    public void BclEncryptDecrypt()
    {
        if (_gcm is not null)
        {
            _gcm.Encrypt(_nonce, _payload, _ciphertext, _tag, _associatedData);
            _gcm.Decrypt(_nonce, _ciphertext, _tag, _destination, _associatedData);
        }
        else if (_ccm is not null)
        {
            _ccm.Encrypt(_nonce, _payload, _ciphertext, _tag, _associatedData);
            _ccm.Decrypt(_nonce, _ciphertext, _tag, _destination, _associatedData);
        }
        else
        {
            _payload.AsSpan().CopyTo(_ciphertext);
            _ciphertext.AsSpan().CopyTo(_destination);
        }
    }

    [Benchmark]
    [BenchmarkCategory(RoundTripCategory)]
    public void SealOpen()
    {
        Pipe pipe = _pipe!;
        _sealer!.Seal(pipe.Writer, RecordType.Data, _position, _payload);
        _position += Size;

        // With pausing disabled and no reader awaiting, the flush completes synchronously; blocking on it cannot wait.
        ValueTask<FlushResult> flush = pipe.Writer.FlushAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The pipe's flush did not complete synchronously.");
        }

        _ = flush.Result;
        if (!pipe.Reader.TryRead(out ReadResult read) || !_opener!.TryReadHeader(read.Buffer, out RecordHeader header))
        {
            throw new InvalidOperationException("The sealed record is not readable from the pipe.");
        }

        ReadOnlySequence<byte> buffer = read.Buffer;
        _opener.Open(buffer, header, _destination);
        pipe.Reader.AdvanceTo(buffer.GetPosition(_opener.GetRecordLength(header)));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sealer?.Dispose();
        _opener?.Dispose();
        _ccm?.Dispose();
        _gcm?.Dispose();
        if (_pipe is not null)
        {
            _pipe.Writer.Complete();
            _pipe.Reader.Complete();
        }

        GC.SuppressFinalize(this);
    }
}
