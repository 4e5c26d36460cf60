using System.Runtime.InteropServices;

namespace KernelZones.Migration.Transport.Ciphers;

/// <summary>
/// An OpenSSL <c>EVP_CIPHER_CTX</c>, freed with <c>EVP_CIPHER_CTX_free</c> when the last user lets go of it.
/// </summary>
/// <remarks>
/// Every call into OpenSSL holds a reference (<see cref="Enter"/>, <see cref="Exit"/>): a dispose that races a
/// record only marks the handle closed, and the context is freed when the record's call has returned, never under it.
/// A call that starts after the dispose throws <see cref="ObjectDisposedException"/>.
/// </remarks>
internal sealed unsafe class OpenSslCipherContext : SafeHandle
{
    private readonly delegate* unmanaged<nint, void> _free;

    public OpenSslCipherContext(nint context, delegate* unmanaged<nint, void> free)
        : base(0, ownsHandle: true)
    {
        _free = free;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes a reference for one OpenSSL call and returns the context; pair with <see cref="Exit"/> in a <c>finally</c>.</summary>
    /// <exception cref="ObjectDisposedException">The context was disposed.</exception>
    public nint Enter(ref bool entered)
    {
        if (IsClosed)
        {
            ThrowHelper.ThrowObjectDisposed(nameof(AesCcmCipher));
        }

        // Throws ObjectDisposedException too, when a dispose lands between the check above and this.
        DangerousAddRef(ref entered);
        return handle;
    }

    /// <summary>Gives back the reference <see cref="Enter"/> took, if it took one.</summary>
    public void Exit(bool entered)
    {
        if (entered)
        {
            DangerousRelease();
        }
    }

    protected override bool ReleaseHandle()
    {
        _free(handle);
        return true;
    }
}
