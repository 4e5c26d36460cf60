using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using KernelZones.Benchmarks.Columns;
using KernelZones.Migration.Transport.Ciphers;

namespace KernelZones.Benchmarks.Ciphers;

/// <summary>
/// <see cref="ICipher"/> against the BCL call it wraps, per cipher and record size. Each (operation, cipher,
/// size) group has its own baseline: the direct <see cref="AesCcm"/>/<see cref="AesGcm"/> call, or for
/// <c>none</c> a plain <see cref="Span{T}.CopyTo"/>. The target is for ours to reach 0.95x the baseline at 64 KiB.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[Config(typeof(SizeThroughputConfig))]
public class CipherBenchmarks : IDisposable
{
    private const string EncryptCategory = "Encrypt";
    private const string DecryptCategory = "Decrypt";

    // A record header's worth of associated data, as the framing layer passes.
    private readonly byte[] _associatedData = new byte[16];
    private readonly byte[] _nonce = new byte[12];
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _output = [];
    private byte[] _tag = [];
    private byte[] _scratchTag = [];
    private ICipher? _cipher;
    private AesCcm? _ccm;
    private AesGcm? _gcm;

    [Params(CipherSuite.Aes128Ccm, CipherSuite.Aes128Gcm, CipherSuite.None)]
    public string Cipher { get; set; } = CipherSuite.Aes128Ccm;

    [Params(4 * 1024, 64 * 1024, 256 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(CipherSuite.KeySize);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _ciphertext = new byte[Size];
        _output = new byte[Size];
        _tag = new byte[CipherSuite.GetTagSize(Cipher)];
        _scratchTag = new byte[_tag.Length];
        _cipher = CipherSuite.Create(Cipher, Cipher == CipherSuite.None ? [] : key);
        _ccm = Cipher == CipherSuite.Aes128Ccm ? new AesCcm(key) : null;
        _gcm = Cipher == CipherSuite.Aes128Gcm ? new AesGcm(key, 16) : null;

        // Decrypt needs a genuine record; encrypting again under the same nonce is fine for timing only.
        _cipher.Encrypt(_nonce, _plaintext, _ciphertext, _tag, _associatedData);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(EncryptCategory)]
    public void BclEncrypt()
    {
        if (_gcm is not null)
        {
            _gcm.Encrypt(_nonce, _plaintext, _output, _scratchTag, _associatedData);
        }
        else if (_ccm is not null)
        {
            _ccm.Encrypt(_nonce, _plaintext, _output, _scratchTag, _associatedData);
        }
        else
        {
            _plaintext.AsSpan().CopyTo(_output);
        }
    }

    [Benchmark]
    [BenchmarkCategory(EncryptCategory)]
    public void Encrypt() => _cipher!.Encrypt(_nonce, _plaintext, _output, _scratchTag, _associatedData);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(DecryptCategory)]
    public void BclDecrypt()
    {
        if (_gcm is not null)
        {
            _gcm.Decrypt(_nonce, _ciphertext, _tag, _output, _associatedData);
        }
        else if (_ccm is not null)
        {
            _ccm.Decrypt(_nonce, _ciphertext, _tag, _output, _associatedData);
        }
        else
        {
            _ciphertext.AsSpan().CopyTo(_output);
        }
    }

    [Benchmark]
    [BenchmarkCategory(DecryptCategory)]
    public void Decrypt() => _cipher!.Decrypt(_nonce, _ciphertext, _tag, _output, _associatedData);

    [GlobalCleanup]
    public void Dispose()
    {
        _cipher?.Dispose();
        _ccm?.Dispose();
        _gcm?.Dispose();
        GC.SuppressFinalize(this);
    }
}
