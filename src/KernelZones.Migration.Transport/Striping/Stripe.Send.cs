using System.Net.Sockets;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

public sealed partial class Stripe
{
    /// <summary>Queues a batch; completes when every record of it has been written to the socket.</summary>
    /// <param name="batch">The records to send; pulled by the stripe's sending thread.</param>
    /// <param name="cancellationToken">Cancels the wait; cancelling aborts the whole transfer, because a half-sent batch cannot be taken back.</param>
    /// <exception cref="TransportException">The transfer was aborted; the message gives the first reason.</exception>
    public Task SendAsync(IRecordBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return QueueAsync(SendRequest.For(batch), cancellationToken);
    }

    /// <summary>Sends one small control record (at most 64 KiB) after everything queued before it.</summary>
    /// <param name="label">The caller's label for the record.</param>
    /// <param name="payload">The payload; copied before the method returns.</param>
    /// <param name="flags">The caller's flags; the high bit is reserved.</param>
    /// <param name="cancellationToken">Cancels the wait (and aborts the transfer).</param>
    public Task SendControlAsync(long label, ReadOnlySpan<byte> payload, byte flags = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, MaxControlPayload, nameof(payload));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(flags, (byte)(KeepAliveFlag - 1), nameof(flags));
        return QueueAsync(SendRequest.For(new ControlBatch(label, payload.ToArray(), flags)), cancellationToken);
    }

    internal Task SendEndOfStreamAsync() => QueueAsync(SendRequest.EndOfStream(), CancellationToken.None);

    internal void SendKeepAlive() => _queue.TryAdd(SendRequest.For(new ControlBatch(0, [], KeepAliveFlag)));

    private async Task QueueAsync(SendRequest request, CancellationToken cancellationToken)
    {
        _transfer.ThrowIfAborted();
        if (!_queue.TryAdd(request))
        {
            _transfer.ThrowIfAborted();
            throw new InvalidOperationException($"Stripe {Index} has already ended its stream.");
        }

        try
        {
            await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            _transfer.Abort(new TransportException("The transfer was cancelled.", ex));
            throw _transfer.AbortReason!;
        }
    }

    /// <summary>
    /// The sending thread: takes each request in turn and sends it, until it has sent the end of the stream or the
    /// transfer is aborted. Any failure aborts the whole transfer.
    /// </summary>
    private void SendLoop()
    {
        SendRequest? current = null;
        try
        {
            while ((current = _queue.Take()) is not null)
            {
                if (current.Batch is null)
                {
                    SendEndOfStream();
                    current.Done.TrySetResult();
                    return;
                }

                SendBatch(current.Batch);
                current.Done.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            var failure = Failure("sending failed: " + ex.Message, ex);
            current?.Done.TrySetException(failure);
            _transfer.Abort(failure);
            _outputEnded.TrySetException(failure);
        }
    }

    /// <summary>
    /// Seals every record of <paramref name="batch"/> from the caller's memory into the send buffer and writes it out:
    /// small records gathered into one socket write, large ones one by one. Without encryption, a large data payload
    /// is written straight from the caller's memory right behind its header.
    /// </summary>
    private void SendBatch(IRecordBatch batch)
    {
        while (batch.TryGetNext(out OutgoingRecord record))
        {
            ReadOnlySpan<byte> payload = Payload(batch, record);
            if (_sealer.IsPlain && record.Type == RecordType.Data && payload.Length >= LargePayload)
            {
                MakeRoom(RecordHeader.Size);
                _sealer.SealPlainHeader(_sendBuffer, record.Label, payload.Length, record.Flags);
                _sealedSinceWrite++;
                WriteSendBuffer();
                Write(payload);
                continue;
            }

            MakeRoom(_sealer.GetRecordLength(payload.Length));
            _sealer.Seal(_sendBuffer, record.Type, record.Label, payload, record.Flags);
            _sealedSinceWrite++;
            if (_sendBuffer.Written.Length >= LargePayload)
            {
                WriteSendBuffer();
            }
        }

        WriteSendBuffer();
    }

    /// <summary>Seals the end-of-stream record, writes it and closes the sending half of the connection.</summary>
    private void SendEndOfStream()
    {
        _sealer.SealEndOfStream(_sendBuffer);
        _sealedSinceWrite++;
        WriteSendBuffer();
        _socket.Shutdown(SocketShutdown.Send);
        _outputEnded.TrySetResult();
    }

    /// <summary>Writes the send buffer out first if a record of <paramref name="length"/> bytes would not fit behind what it holds.</summary>
    private void MakeRoom(int length)
    {
        if (_sendBuffer.FreeCapacity < length)
        {
            WriteSendBuffer();
        }
    }

    /// <summary>Writes everything sealed so far to the socket and empties the send buffer.</summary>
    private void WriteSendBuffer()
    {
        TransportMetrics.AddSealed(Index, _sealedSinceWrite);
        _sealedSinceWrite = 0;
        Write(_sendBuffer.Written);
        _sendBuffer.Clear();
    }

    /// <summary>Writes all of <paramref name="bytes"/> with blocking sends: the call sleeps while the socket's send buffer is full.</summary>
    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        for (ReadOnlySpan<byte> rest = bytes; !rest.IsEmpty;)
        {
            rest = rest[_socket.Send(rest, SocketFlags.None)..];
        }

        Interlocked.Add(ref _bytesSent, bytes.Length);
        Interlocked.Exchange(ref _lastSendTicks, Environment.TickCount64);
        TransportMetrics.AddSent(Index, bytes.Length);
    }

    private static ReadOnlySpan<byte> Payload(IRecordBatch batch, in OutgoingRecord record)
    {
        if ((record.Flags & KeepAliveFlag) != 0 && batch is not ControlBatch)
        {
            ThrowHelper.ThrowInvalidOperation($"Record flags 0x{record.Flags:x2} use the high bit, which the transport reserves.");
        }

        ReadOnlySpan<byte> payload = batch.GetPayload(record);
        if (payload.Length != record.Length)
        {
            ThrowHelper.ThrowInvalidOperation($"The batch returned a {payload.Length}-byte payload for a {record.Length}-byte record at {record.Label}.");
        }

        return payload;
    }

    /// <summary>A single control record, sent as a one-record batch.</summary>
    private sealed class ControlBatch(long label, byte[] payload, byte flags) : IRecordBatch
    {
        private bool _taken;

        public bool TryGetNext(out OutgoingRecord record)
        {
            record = new OutgoingRecord(RecordType.Control, label, payload.Length, flags);
            bool next = !_taken;
            _taken = true;
            return next;
        }

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => payload;
    }
}
