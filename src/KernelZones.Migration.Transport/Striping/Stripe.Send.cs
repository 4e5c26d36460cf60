using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

public sealed partial class Stripe
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Queues a batch; completes when every record of it has been sealed into the socket's pipe.</summary>
    /// <param name="batch">The records to send; pulled by the stripe's sending loop.</param>
    /// <param name="cancellationToken">Cancels the wait; cancelling aborts the whole transfer, because a half-sent batch cannot be taken back.</param>
    /// <exception cref="TransportException">The transfer was aborted; the message gives the first reason.</exception>
    public Task SendAsync(IRecordBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return QueueAsync(SendRequest.For(batch), cancellationToken);
    }

    /// <summary>Sends one small control record (at most 64 KiB) after everything queued before it.</summary>
    /// <param name="position">The caller's label for the record.</param>
    /// <param name="payload">The payload; copied before the method returns.</param>
    /// <param name="flags">The caller's flags; the high bit is reserved.</param>
    /// <param name="cancellationToken">Cancels the wait (and aborts the transfer).</param>
    public Task SendControlAsync(long position, ReadOnlySpan<byte> payload, byte flags = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, MaxControlPayload, nameof(payload));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(flags, (byte)(KeepAliveFlag - 1), nameof(flags));
        return QueueAsync(SendRequest.For(new ControlBatch(position, payload.ToArray(), flags)), cancellationToken);
    }

    internal Task SendEndOfStreamAsync() => QueueAsync(SendRequest.EndOfStream(), CancellationToken.None);

    internal void SendKeepAlive() => _requests.Writer.TryWrite(SendRequest.For(new ControlBatch(0, [], KeepAliveFlag)));

    private async Task QueueAsync(SendRequest request, CancellationToken cancellationToken)
    {
        _transfer.ThrowIfAborted();
        if (!_requests.Writer.TryWrite(request))
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

    private async Task SealLoopAsync()
    {
        SendRequest? current = null;
        try
        {
            // ConfigureAwait(true): on a dedicated stripe thread the continuation must come back to that thread.
            while (await _requests.Reader.WaitToReadAsync(_aborted).ConfigureAwait(true))
            {
                while (_requests.Reader.TryRead(out current))
                {
                    if (current.Batch is null)
                    {
                        _requests.Writer.TryComplete();
                        _sealer.SealEndOfStream(_output.Writer);
                        TransportMetrics.AddSealed(Index, 1);
                        await FlushOutputAsync().ConfigureAwait(false);
                        await _output.Writer.CompleteAsync().ConfigureAwait(true);
                        if (Dedicated)
                        {
                            EndOutput();
                        }

                        current.Done.TrySetResult();
                        return;
                    }

                    // ConfigureAwait(false) on our own pooled ValueTasks: their only wait is the pipe's flush, which the
                    // pipe resumes through the stripe thread's scheduler, so they complete on this thread and continue
                    // inline; capturing the context would instead post every continuation (a delegate and a box each).
                    await SealBatchAsync(current.Batch).ConfigureAwait(false);
                    current.Done.TrySetResult();
                }
            }
        }
        catch (Exception ex)
        {
            var failure = Failure("sending failed: " + ex.Message, ex);
            current?.Done.TrySetException(failure);
            _transfer.Abort(failure);
            await _output.Writer.CompleteAsync(failure).ConfigureAwait(true);
            if (Dedicated)
            {
                _output.Reader.Complete(failure);
                _outputEnded.TrySetException(failure);
            }
        }
    }

    // Pooled builder: this awaits once per record under backpressure; a fresh state-machine box each time would allocate per record.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SealBatchAsync(IRecordBatch batch)
    {
        int sealedRecords = 0;
        while (batch.TryGetNext(out OutgoingRecord record))
        {
            if (SendsPayloadDirectly(record))
            {
                // No encryption: the header goes through the pipe, the payload from the caller's memory to the socket.
                _sealer.SealPlainHeader(_output.Writer, record.Position, record.Length, record.Flags);
                TransportMetrics.AddSealed(Index, sealedRecords + 1);
                sealedRecords = 0;
                await FlushOutputAsync().ConfigureAwait(false);
                SendPayload(batch, record);
                continue;
            }

            _sealer.Seal(_output.Writer, record.Type, record.Position, Payload(batch, record), record.Flags);
            sealedRecords++;

            // Small records are gathered into one socket write; large ones go out one by one.
            if (_output.Writer.UnflushedBytes >= FlushThreshold)
            {
                TransportMetrics.AddSealed(Index, sealedRecords);
                sealedRecords = 0;
                await FlushOutputAsync().ConfigureAwait(false);
            }
        }

        TransportMetrics.AddSealed(Index, sealedRecords);
        await FlushOutputAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a record's payload skips the pipe: only without encryption (sealing would be a copy), only for large
    /// data records (small ones are better gathered into one socket write), only where this thread writes the socket.
    /// </summary>
    private bool SendsPayloadDirectly(in OutgoingRecord record) =>
        Dedicated && record.Type == RecordType.Data && record.Length >= FlushThreshold && _sealer.IsPlain;

    /// <summary>Writes a plain record's payload from the batch's memory to the socket, right behind its header.</summary>
    private void SendPayload(IRecordBatch batch, in OutgoingRecord record)
    {
        ReadOnlySpan<byte> payload = Payload(batch, record);
        SendAll(payload);
        Sent(payload.Length);
    }

    /// <summary>On a dedicated thread: writes all of <paramref name="bytes"/> with blocking sends.</summary>
    private void SendAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[_socket.Send(bytes, SocketFlags.None)..];
        }
    }

    private void Sent(long count)
    {
        Interlocked.Add(ref _bytesSent, count);
        Interlocked.Exchange(ref _lastSendTicks, Environment.TickCount64);
        TransportMetrics.AddSent(Index, count);
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
            ThrowHelper.ThrowInvalidOperation($"The batch returned a {payload.Length}-byte payload for a {record.Length}-byte record at {record.Position}.");
        }

        return payload;
    }

    // Pooled builder: this awaits once per record under backpressure; a fresh state-machine box each time would allocate per record.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushOutputAsync()
    {
        FlushResult result = await _output.Writer.FlushAsync(_aborted).ConfigureAwait(true);
        if (result.IsCompleted)
        {
            throw _transfer.AbortReason ?? new TransportException($"Stripe {Index}: the connection closed while sending.");
        }

        // On a dedicated thread the flushed bytes go to the socket now, from this thread: the pipe never holds more
        // than what was sealed since the last flush, so the flush above never waits.
        if (Dedicated && _output.Reader.TryRead(out ReadResult written))
        {
            await WriteAsync(written.Buffer).ConfigureAwait(false);
            _output.Reader.AdvanceTo(written.Buffer.End);
        }
    }

    /// <summary>The thread-pool mode's socket loop: writes whatever the sealing loop flushes into the pipe.</summary>
    private async Task SocketSendLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _output.Reader.ReadAsync(_aborted).ConfigureAwait(false);
                await WriteAsync(result.Buffer).ConfigureAwait(false);
                _output.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            EndOutput();
        }
        catch (Exception ex)
        {
            var failure = Failure("sending failed: " + ex.Message, ex);
            _transfer.Abort(failure);
            _output.Reader.Complete(failure);
            _outputEnded.TrySetException(failure);
        }
    }

    /// <summary>After the end-of-stream record has gone out: closes the sending half of the connection.</summary>
    private void EndOutput()
    {
        _socket.Shutdown(SocketShutdown.Send);
        _output.Reader.Complete();
        _outputEnded.TrySetResult();
    }

    // Pooled builder: this awaits once per record under backpressure; a fresh state-machine box each time would allocate per record.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(ReadOnlySequence<byte> buffer)
    {
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (Dedicated)
            {
                SendAll(segment.Span);
                continue;
            }

            for (ReadOnlyMemory<byte> rest = segment; !rest.IsEmpty;)
            {
                rest = rest[await _socket.SendAsync(rest, SocketFlags.None, _aborted).ConfigureAwait(false)..];
            }
        }

        Sent(buffer.Length);
    }

    /// <summary>A single control record, sent as a one-record batch.</summary>
    private sealed class ControlBatch(long position, byte[] payload, byte flags) : IRecordBatch
    {
        private bool _taken;

        public bool TryGetNext(out OutgoingRecord record)
        {
            record = new OutgoingRecord(RecordType.Control, position, payload.Length, flags);
            bool next = !_taken;
            _taken = true;
            return next;
        }

        public ReadOnlySpan<byte> GetPayload(in OutgoingRecord record) => payload;
    }
}
