using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// AES-128-CCM with a 12-byte nonce through OpenSSL's EVP interface, keeping one cipher context per key and
/// direction for the life of the stream: the key schedule is expanded once, and a record costs no allocation.
/// </summary>
/// <remarks>
/// <para>Why not only <see cref="AesCcm"/>: on Linux it creates a new OpenSSL context for every call (a 32-byte
/// safe handle each, 8 KiB per GiB at 256 KiB records and per direction) and encrypts into a rented buffer that it
/// then copies into the caller's. This is the same OpenSSL library the BCL loads, called in the same order as the
/// BCL calls it (direction, nonce length, tag, key and nonce, message length, associated data, data), but with the
/// context reused: each record sets a new nonce, and the context keeps the key.</para>
/// <para>Available where <c>libcrypto</c> 3 or 1.1 can be loaded (Linux); elsewhere <see cref="TryCreate"/>
/// returns <see langword="null"/> and the caller uses <see cref="AesCcm"/>. Empty messages are not handled here
/// (see <see cref="CcmEmptyMessage"/>). Not thread-safe, like every <see cref="ICipher"/>, except that
/// <see cref="Dispose"/> may race a record: the contexts are <see cref="OpenSslCipherContext"/> handles, so the record
/// completes or throws <see cref="ObjectDisposedException"/>, and a context is never freed under a call.</para>
/// </remarks>
internal sealed unsafe class OpenSslCcm : IDisposable
{
    private const int KeyBytes = 16;
    private const int CtrlAeadSetIvLength = 0x9;
    private const int CtrlAeadGetTag = 0x10;
    private const int CtrlAeadSetTag = 0x11;

    private static readonly Library? s_library = Library.TryLoad();
    private readonly int _tagSize;
    private readonly OpenSslCipherContext _encrypt;
    private readonly OpenSslCipherContext _decrypt;

    private OpenSslCcm(OpenSslCipherContext encrypt, OpenSslCipherContext decrypt, int tagSize)
    {
        _encrypt = encrypt;
        _decrypt = decrypt;
        _tagSize = tagSize;
    }

    /// <summary>Whether OpenSSL's libcrypto could be loaded in this process.</summary>
    public static bool IsAvailable => s_library is not null;

    /// <summary>Creates the two contexts for <paramref name="key"/>; <see langword="null"/> when libcrypto is not available here.</summary>
    /// <exception cref="CryptographicException">libcrypto refused the key or parameters.</exception>
    public static OpenSslCcm? TryCreate(ReadOnlySpan<byte> key, int nonceSize, int tagSize)
    {
        if (s_library is not { } library || key.Length != KeyBytes)
        {
            return null;
        }

        OpenSslCipherContext encrypt = CreateContext(library, key, nonceSize, tagSize, encrypt: true);
        try
        {
            return new OpenSslCcm(encrypt, CreateContext(library, key, nonceSize, tagSize, encrypt: false), tagSize);
        }
        catch
        {
            encrypt.Dispose();
            throw;
        }
    }

    /// <summary>Encrypts a non-empty <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length, may be the same memory) and writes the tag.</summary>
    /// <exception cref="ObjectDisposedException">The cipher was disposed (also when the dispose races this call).</exception>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        bool entered = false;
        try
        {
            Seal(_encrypt.Enter(ref entered), nonce, plaintext, ciphertext, tag, associatedData);
        }
        finally
        {
            _encrypt.Exit(entered);
        }
    }

    /// <summary>Verifies <paramref name="tag"/> and decrypts a non-empty <paramref name="ciphertext"/>; on failure <paramref name="plaintext"/> is cleared.</summary>
    /// <exception cref="AuthenticationTagMismatchException">The data, tag, nonce or associated data was altered.</exception>
    /// <exception cref="ObjectDisposedException">The cipher was disposed (also when the dispose races this call).</exception>
    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        bool entered = false;
        try
        {
            Open(_decrypt.Enter(ref entered), nonce, ciphertext, tag, plaintext, associatedData);
        }
        finally
        {
            _decrypt.Exit(entered);
        }
    }

    /// <summary>Releases both contexts; OpenSSL cleanses the key schedule as it frees them, once no call is using them. Idempotent.</summary>
    public void Dispose()
    {
        _encrypt.Dispose();
        _decrypt.Dispose();
    }

    private void Seal(nint context, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        var library = s_library!;
        fixed (byte* noncePointer = nonce)
        fixed (byte* input = plaintext)
        fixed (byte* output = ciphertext)
        fixed (byte* tagPointer = tag)
        fixed (byte* associated = associatedData)
        {
            int written;
            bool done = library.CipherInit(context, 0, 0, null, noncePointer, -1) == 1
                && library.CipherUpdate(context, null, &written, null, plaintext.Length) == 1
                && (associatedData.IsEmpty || library.CipherUpdate(context, null, &written, associated, associatedData.Length) == 1)
                && library.CipherUpdate(context, output, &written, input, plaintext.Length) == 1 && written == plaintext.Length
                && library.CipherFinal(context, output + written, &written) == 1 && written == 0
                && library.Control(context, CtrlAeadGetTag, _tagSize, tagPointer) == 1;
            if (!done)
            {
                library.ClearErrors();
                ciphertext.Clear();
                tag.Clear();
                throw new CryptographicException("OpenSSL failed to encrypt an AES-CCM record.");
            }
        }
    }

    private void Open(nint context, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var library = s_library!;
        fixed (byte* noncePointer = nonce)
        fixed (byte* input = ciphertext)
        fixed (byte* output = plaintext)
        fixed (byte* tagPointer = tag)
        fixed (byte* associated = associatedData)
        {
            int written;

            // For decryption OpenSSL checks the tag inside the data update (CCM authenticates the plaintext, so it
            // cannot before decrypting) and cleanses the output when it does not match; there is no final step.
            bool done = library.CipherInit(context, 0, 0, null, noncePointer, -1) == 1
                && library.Control(context, CtrlAeadSetTag, _tagSize, tagPointer) == 1
                && library.CipherUpdate(context, null, &written, null, ciphertext.Length) == 1
                && (associatedData.IsEmpty || library.CipherUpdate(context, null, &written, associated, associatedData.Length) == 1)
                && library.CipherUpdate(context, output, &written, input, ciphertext.Length) == 1 && written == ciphertext.Length;
            if (!done)
            {
                library.ClearErrors();
                plaintext.Clear();
                throw new AuthenticationTagMismatchException();
            }
        }
    }

    private static OpenSslCipherContext CreateContext(Library library, ReadOnlySpan<byte> key, int nonceSize, int tagSize, bool encrypt)
    {
        var context = library.NewContext();
        if (context.IsInvalid)
        {
            throw new CryptographicException("OpenSSL could not allocate a cipher context.");
        }

        if (TryInitialize(library, context.DangerousGetHandle(), key, nonceSize, tagSize, encrypt))
        {
            return context;
        }

        library.ClearErrors();
        context.Dispose();
        throw new CryptographicException("OpenSSL refused the AES-128-CCM key or parameters.");
    }

    private static bool TryInitialize(Library library, nint context, ReadOnlySpan<byte> key, int nonceSize, int tagSize, bool encrypt)
    {
        int direction = encrypt ? 1 : 0;
        fixed (byte* keyPointer = key)
        {
            // The direction first, then the nonce and tag lengths, then the key: OpenSSL fixes the tag length into the
            // CCM state when the key is set (a decrypting context too: its per-record tags must have this length).
            return library.CipherInit(context, library.Aes128Ccm, 0, null, null, direction) == 1
                && library.Control(context, CtrlAeadSetIvLength, nonceSize, null) == 1
                && library.Control(context, CtrlAeadSetTag, tagSize, null) == 1
                && library.CipherInit(context, 0, 0, keyPointer, null, -1) == 1;
        }
    }

    /// <summary>The libcrypto entry points, resolved once per process.</summary>
    private sealed class Library
    {
        private readonly delegate* unmanaged<nint> _newContext;
        private readonly delegate* unmanaged<nint, void> _freeContext;
        private readonly delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int> _cipherInit;
        private readonly delegate* unmanaged<nint, int, int, void*, int> _control;
        private readonly delegate* unmanaged<nint, byte*, int*, byte*, int, int> _cipherUpdate;
        private readonly delegate* unmanaged<nint, byte*, int*, int> _cipherFinal;
        private readonly delegate* unmanaged<void> _clearErrors;

        private Library(nint handle)
        {
            _newContext = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "EVP_CIPHER_CTX_new");
            _freeContext = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "EVP_CIPHER_CTX_free");
            _cipherInit = (delegate* unmanaged<nint, nint, nint, byte*, byte*, int, int>)NativeLibrary.GetExport(handle, "EVP_CipherInit_ex");
            _control = (delegate* unmanaged<nint, int, int, void*, int>)NativeLibrary.GetExport(handle, "EVP_CIPHER_CTX_ctrl");
            _cipherUpdate = (delegate* unmanaged<nint, byte*, int*, byte*, int, int>)NativeLibrary.GetExport(handle, "EVP_CipherUpdate");
            _cipherFinal = (delegate* unmanaged<nint, byte*, int*, int>)NativeLibrary.GetExport(handle, "EVP_CipherFinal_ex");
            _clearErrors = (delegate* unmanaged<void>)NativeLibrary.GetExport(handle, "ERR_clear_error");
            Aes128Ccm = ((delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "EVP_aes_128_ccm"))();
        }

        public nint Aes128Ccm { get; }

        public static Library? TryLoad()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            // The names the BCL's own OpenSSL shim looks for, newest first.
            foreach (string name in (string[])["libcrypto.so.3", "libcrypto.so.1.1"])
            {
                if (NativeLibrary.TryLoad(name, out nint handle))
                {
                    try
                    {
                        var library = new Library(handle);
                        return library.Aes128Ccm != 0 ? library : null;
                    }
                    catch (EntryPointNotFoundException)
                    {
                        return null;
                    }
                }
            }

            return null;
        }

        public OpenSslCipherContext NewContext() => new(_newContext(), _freeContext);

        public int CipherInit(nint context, nint cipher, nint engine, byte* key, byte* nonce, int encrypt) => _cipherInit(context, cipher, engine, key, nonce, encrypt);

        public int Control(nint context, int type, int argument, void* pointer) => _control(context, type, argument, pointer);

        public int CipherUpdate(nint context, byte* output, int* written, byte* input, int length) => _cipherUpdate(context, output, written, input, length);

        public int CipherFinal(nint context, byte* output, int* written) => _cipherFinal(context, output, written);

        public void ClearErrors() => _clearErrors();
    }
}
