using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

public sealed partial class Stripe
{
    /// <summary>
    /// Reads the socket record by record: first the 24-byte header into a private buffer, then the rest of the
    /// record into pipe memory that has room for all of it, so that every record lies in one contiguous block and
    /// is decrypted in place, never through a copy. On a dedicated thread the same thread then opens it at once, and
    /// without encryption it receives a large data payload straight into the sink's memory instead.
    /// </summary>
    private async Task SocketReceiveLoopAsync()
    {
        Exception? error = null;
        bool opened = false;
        try
        {
            while (await ReceiveHeaderAsync().ConfigureAwait(false))
            {
                if (Dedicated && _opener.IsPlain && TryReceivePayloadDirectly(out opened))
                {
                    if (opened)
                    {
                        break;
                    }

                    continue;
                }

                // An oversized claim is received only up to the largest legal record; the opener rejects the header.
                int length = Math.Min(RecordHeader.Size + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(_receivedHeader.AsSpan(4)), int.MaxValue - 64) + _tagSize, _maxRecordLength);
                Memory<byte> record = _input.Writer.GetMemory(length);
                _receivedHeader.CopyTo(record.Span);
                int body = await ReceiveIntoAsync(record[RecordHeader.Size..length]).ConfigureAwait(false);
                _input.Writer.Advance(RecordHeader.Size + body);
                if (body < length - RecordHeader.Size)
                {
                    break;
                }

                FlushResult result = await _input.Writer.FlushAsync(_aborted).ConfigureAwait(false);
                if (result.IsCompleted || (Dedicated && (opened = OpenReceived())))
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
        if (Dedicated && !opened)
        {
            OpenReceived();
        }
    }

    /// <summary>
    /// Without encryption, a large data record's payload is received straight into the memory the sink names for it:
    /// opening it would only copy it there. False when the record is not one of those (it then goes through the
    /// pipe); <paramref name="failed"/> when the record was refused or cut short, which fails the receiving side.
    /// </summary>
    private bool TryReceivePayloadDirectly(out bool failed)
    {
        failed = false;
        try
        {
            if (!_opener.TryReadHeader(new ReadOnlySequence<byte>(_receivedHeader), out RecordHeader header)
                || header.Type != RecordType.Data || header.PayloadLength < FlushThreshold)
            {
                return false;
            }

            Span<byte> destination = _sink.GetDataDestination(Index, header);
            if (destination.Length != header.PayloadLength)
            {
                ThrowHelper.ThrowInvalidOperation($"The sink returned {destination.Length} bytes for a {header.PayloadLength}-byte record at {header.Position}.");
            }

            int received = ReceiveInto(destination);
            if (received < destination.Length)
            {
                _opener.Complete(RecordHeader.Size + received); // cut in the middle of this record: throws Truncated
            }

            _opener.AcceptPlain(header);
            _sink.OnDataReceived(Index, header, destination);
            TransportMetrics.AddReceived(Index, RecordHeader.Size + header.PayloadLength, 1);
            return true;
        }
        catch (Exception ex) when (ex is not (SocketException or ObjectDisposedException))
        {
            FailReceiving(ex);
            failed = true;
            return true;
        }
    }

    /// <summary>Receives the next header; false when the peer closed at a record boundary (a partial header is written through, so the opener reports it).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveHeaderAsync()
    {
        int received = 0;
        while (received < RecordHeader.Size)
        {
            int count = Dedicated ? _socket.Receive(_receivedHeader.AsSpan(received), SocketFlags.None) : await _socket.ReceiveAsync(_receivedHeader.AsMemory(received), SocketFlags.None, _aborted).ConfigureAwait(false);
            if (count == 0)
            {
                if (received > 0)
                {
                    _input.Writer.Write(_receivedHeader.AsSpan(0, received));
                }

                return false;
            }

            received += count;
            Received(count);
        }

        return true;
    }

    /// <summary>Fills <paramref name="memory"/>; returns fewer bytes only when the peer closed first.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveIntoAsync(Memory<byte> memory)
    {
        if (Dedicated)
        {
            return ReceiveInto(memory.Span);
        }

        int received = 0;
        while (received < memory.Length)
        {
            int count = await _socket.ReceiveAsync(memory[received..], SocketFlags.None, _aborted).ConfigureAwait(false);
            if (count == 0)
            {
                break;
            }

            received += count;
            Received(count);
        }

        return received;
    }

    /// <summary>On a dedicated thread: fills <paramref name="span"/> with blocking reads; returns fewer bytes only when the peer closed first.</summary>
    private int ReceiveInto(Span<byte> span)
    {
        int received = 0;
        while (received < span.Length)
        {
            int count = _socket.Receive(span[received..], SocketFlags.None);
            if (count == 0)
            {
                break;
            }

            received += count;
            Received(count);
        }

        return received;
    }

    private void Received(int count)
    {
        Interlocked.Add(ref _bytesReceived, count);
        Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount64);
    }

    /// <summary>The thread-pool mode's opening loop: opens whatever the socket loop flushes into the pipe.</summary>
    private async Task OpenLoopAsync()
    {
        try
        {
            while (!Open(await _input.Reader.ReadAsync(_aborted).ConfigureAwait(false)))
            {
            }
        }
        catch (Exception ex)
        {
            FailReceiving(ex);
        }
    }

    /// <summary>On a dedicated thread, after each record read: opens what the pipe holds. True once the receiving side has finished (ended or failed).</summary>
    private bool OpenReceived()
    {
        try
        {
            return _input.Reader.TryRead(out ReadResult result) && Open(result);
        }
        catch (Exception ex)
        {
            FailReceiving(ex);
            return true;
        }
    }

    /// <summary>Opens every whole record of <paramref name="result"/>; true when the stream has ended (the peer closed after its end-of-stream record).</summary>
    private bool Open(ReadResult result)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        long before = buffer.Length;
        buffer = OpenRecords(buffer, out int records);
        TransportMetrics.AddReceived(Index, before - buffer.Length, records);

        if (_opener.IsEnded)
        {
            // Nothing may follow the end-of-stream record: the peer shuts its side down right after it, so the
            // stream is over only at that close, and a byte before it (a replayed record) is an error.
            _input.Reader.AdvanceTo(buffer.End);
            _opener.Complete(buffer.Length);
            if (!result.IsCompleted)
            {
                return false;
            }

            _input.Reader.Complete();
            _peerEnded.TrySetResult();
            return true;
        }

        // Consumed up to the first incomplete record; examined everything, so wait for more bytes.
        _input.Reader.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCompleted)
        {
            _opener.Complete(buffer.Length);
        }

        return false;
    }

    private void FailReceiving(Exception ex)
    {
        bool forged = ex is RecordException { Kind: RecordErrorKind.AuthenticationFailed };
        if (forged)
        {
            TransportMetrics.AuthenticationFailed(Index);
        }

        var failure = Failure((forged ? "authentication failed: " : "receiving failed: ") + ex.Message, ex);
        _transfer.Abort(failure);
        _peerEnded.TrySetException(failure);
        _input.Reader.Complete(failure);
    }

    private ReadOnlySequence<byte> OpenRecords(ReadOnlySequence<byte> buffer, out int records)
    {
        records = 0;
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
            records++;
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
