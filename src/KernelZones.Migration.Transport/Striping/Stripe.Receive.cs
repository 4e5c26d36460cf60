using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

public sealed partial class Stripe
{
    private const int MinimumReceiveBuffer = 64 * 1024;

    private async Task SocketReceiveLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                Memory<byte> buffer = _input.Writer.GetMemory(MinimumReceiveBuffer);
                int received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _aborted).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                Interlocked.Add(ref _bytesReceived, received);
                Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount64);
                _input.Writer.Advance(received);
                FlushResult result = await _input.Writer.FlushAsync(_aborted).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The reading side decides whether this ends the stream cleanly or cuts it.
            error = ex;
        }

        await _input.Writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task OpenLoopAsync()
    {
        try
        {
            while (true)
            {
                // ConfigureAwait(true): on a dedicated stripe thread the continuation must come back to that thread.
                ReadResult result = await _input.Reader.ReadAsync(_aborted).ConfigureAwait(true);
                ReadOnlySequence<byte> buffer = result.Buffer;
                long before = buffer.Length;
                buffer = OpenRecords(buffer);
                TransportMetrics.AddReceived(Index, before - buffer.Length);

                if (_opener.IsEnded)
                {
                    _input.Reader.AdvanceTo(buffer.End);
                    _opener.Complete(buffer.Length);
                    await _input.Reader.CompleteAsync().ConfigureAwait(true);
                    _peerEnded.TrySetResult();
                    return;
                }

                // Consumed up to the first incomplete record; examined everything, so wait for more bytes.
                _input.Reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    _opener.Complete(buffer.Length);
                }
            }
        }
        catch (Exception ex)
        {
            bool forged = ex is RecordException { Kind: RecordErrorKind.AuthenticationFailed };
            if (forged)
            {
                TransportMetrics.AuthenticationFailed(Index);
            }

            var failure = Failure((forged ? "authentication failed: " : "receiving failed: ") + ex.Message, ex);
            _transfer.Abort(failure);
            _peerEnded.TrySetException(failure);
            await _input.Reader.CompleteAsync(failure).ConfigureAwait(true);
        }
    }

    private ReadOnlySequence<byte> OpenRecords(ReadOnlySequence<byte> buffer)
    {
        while (!_opener.IsEnded && _opener.TryReadHeader(buffer, out RecordHeader header))
        {
            int length = _opener.GetRecordLength(header);
            if (buffer.Length < length)
            {
                break;
            }

            switch (header.Type)
            {
                case RecordType.Data:
                    Span<byte> destination = _sink.GetDataDestination(Index, header);
                    _opener.Open(buffer, header, destination);
                    _sink.OnDataReceived(Index, header, destination);
                    break;
                case RecordType.Control:
                    OpenControl(buffer, header);
                    break;
                default:
                    _opener.Open(buffer, header, default);
                    break;
            }

            buffer = buffer.Slice(length);
        }

        return buffer;
    }

    private void OpenControl(in ReadOnlySequence<byte> buffer, in RecordHeader header)
    {
        if (header.PayloadLength > MaxControlPayload)
        {
            throw new RecordException(RecordErrorKind.Oversized, $"Control record #{header.Sequence} declares {header.PayloadLength} bytes; control records carry at most {MaxControlPayload}.");
        }

        Span<byte> payload = _controlBuffer.AsSpan(0, header.PayloadLength);
        _opener.Open(buffer, header, payload);
        if ((header.Flags & KeepAliveFlag) == 0)
        {
            _sink.OnControlReceived(Index, header, payload);
        }
    }
}
