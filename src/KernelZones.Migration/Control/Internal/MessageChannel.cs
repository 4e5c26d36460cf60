using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KernelZones.Migration.Control.Internal;

/// <summary>
/// Length-prefixed messages over one stream (the <see cref="System.Net.Security.SslStream"/>): one
/// writer at a time, a bound on every incoming length checked before the body is read, a time limit
/// on every read and write, and no buffer kept between messages.
/// </summary>
internal sealed class MessageChannel : IAsyncDisposable
{
    private readonly SslStream _stream;
    private readonly int _maxMessageSize;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly byte[] _header = new byte[MessageCodec.HeaderSize];
    private int _disposed;

    public MessageChannel(SslStream stream, int maxMessageSize)
    {
        _stream = stream;
        _maxMessageSize = maxMessageSize;
    }

    public bool IsAuthenticated => _stream.IsAuthenticated;

    /// <summary>The certificate the server presented, after a client handshake.</summary>
    public X509Certificate? RemoteCertificate => _stream.RemoteCertificate;

    public Task AuthenticateAsServerAsync(SslServerAuthenticationOptions options, CancellationToken cancellationToken) =>
        _stream.AuthenticateAsServerAsync(options, cancellationToken);

    public Task AuthenticateAsClientAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken) =>
        _stream.AuthenticateAsClientAsync(options, cancellationToken);

    public async ValueTask SendAsync(ControlMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var frame = new ArrayBufferWriter<byte>(256);
        int length = MessageCodec.WriteFrame(message, frame);
        if (length > _maxMessageSize)
        {
            throw new MigrationException(MigrationFailureKind.Protocol, $"the {message.Kind} message is {length} bytes; the limit is {_maxMessageSize} bytes");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using CancellationTokenSource timer = Timer(timeout, cancellationToken);
            await _stream.WriteAsync(frame.WrittenMemory, timer.Token).ConfigureAwait(false);
            await _stream.FlushAsync(timer.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not MigrationException)
        {
            throw Translate(e, "sending", timeout, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask<ControlMessage> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte[]? body = null;
        try
        {
            using CancellationTokenSource timer = Timer(timeout, cancellationToken);
            await ReadExactlyAsync(_header, timer.Token).ConfigureAwait(false);
            int length = BinaryPrimitives.ReadInt32BigEndian(_header);
            if (length <= 0 || length > _maxMessageSize)
            {
                throw new MigrationException(
                    MigrationFailureKind.Protocol,
                    $"the peer announced a {(uint)length}-byte message; the limit is {_maxMessageSize} bytes");
            }

            body = ArrayPool<byte>.Shared.Rent(length);
            await ReadExactlyAsync(body.AsMemory(0, length), timer.Token).ConfigureAwait(false);
            return MessageCodec.Decode(body.AsMemory(0, length));
        }
        catch (Exception e) when (e is not MigrationException)
        {
            throw Translate(e, "receiving", timeout, cancellationToken);
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body, clearArray: true);
            }

            _readLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = await _stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < buffer.Length)
        {
            throw new MigrationException(
                MigrationFailureKind.Connection,
                read == 0 && buffer.Length == MessageCodec.HeaderSize ? "the peer closed the control connection" : "the peer closed the control connection in the middle of a message");
        }
    }

    private static CancellationTokenSource Timer(TimeSpan timeout, CancellationToken cancellationToken)
    {
        CancellationTokenSource timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(timeout);
        }

        return timer;
    }

    private static Exception Translate(Exception e, string action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return e;
        }

        return e is OperationCanceledException
            ? new MigrationException(MigrationFailureKind.Timeout, $"the peer was silent for {timeout.TotalSeconds:0.###} s while {action} a control message", e)
            : new MigrationException(MigrationFailureKind.Connection, $"the control connection failed while {action}: {ExceptionText.WithCause(e)}", e);
    }
}
