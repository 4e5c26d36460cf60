using System.Buffers;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Framing;

namespace KernelZones.Migration.Transport.Striping;

public sealed partial class Stripe
{
    /// <summary>
    /// The receiving thread: receives, checks and delivers one record after another until the peer closes after its
    /// end-of-stream record. Anything else — a socket error, a record refused by the opener, a sink that throws, a
    /// close anywhere else — aborts the whole transfer.
    /// </summary>
    private void ReceiveLoop()
    {
        try
        {
            while (ReceiveRecord())
            {
            }

            _peerEnded.TrySetResult();
        }
        catch (Exception ex)
        {
            FailReceiving(ex);
        }
    }

    /// <summary>
    /// Receives the next record: its header into the receive buffer, checked (length against the maximum, sequence)
    /// before anything waits for the body; then the body, straight into the sink's memory for a large plain data
    /// record, otherwise into the receive buffer behind the header, opened from there into the sink's memory.
    /// False once the peer has closed cleanly after its end-of-stream record.
    /// </summary>
    private bool ReceiveRecord()
    {
        int received = Read(_receiveBuffer.AsSpan(0, RecordHeader.Size));
        if (received < RecordHeader.Size || !_opener.TryReadHeader(new ReadOnlySequence<byte>(_receiveBuffer, 0, RecordHeader.Size), out RecordHeader header))
        {
            // The peer closed: cleanly only right after its end-of-stream record. A close anywhere else fails here as
            // Truncated, and a byte after that record (a replay) as AfterEndOfStream, here or in TryReadHeader.
            _opener.Complete(received);
            return false;
        }

        if (header.Type == RecordType.Control && header.PayloadLength > MaxControlPayload)
        {
            throw new RecordException(RecordErrorKind.Oversized, $"Control record #{header.Sequence} declares {header.PayloadLength} bytes; control records carry at most {MaxControlPayload}.");
        }

        int length = _opener.GetRecordLength(header);
        if (_opener.IsPlain && header.Type == RecordType.Data && header.PayloadLength >= LargePayload)
        {
            ReceivePlainData(header);
        }
        else
        {
            ReadRest(RecordHeader.Size, length);
            Open(new ReadOnlySequence<byte>(_receiveBuffer, 0, length), header);
        }

        TransportMetrics.AddReceived(Index, length, 1);
        return true;
    }

    /// <summary>
    /// Without encryption, a large data record's payload is received straight into the memory the sink names for it:
    /// opening it would only copy it there.
    /// </summary>
    private void ReceivePlainData(in RecordHeader header)
    {
        Span<byte> destination = _sink.GetDataDestination(Index, header);
        if (destination.Length != header.PayloadLength)
        {
            ThrowHelper.ThrowInvalidOperation($"The sink returned {destination.Length} bytes for a {header.PayloadLength}-byte record at {header.Label}.");
        }

        int received = Read(destination);
        if (received < destination.Length)
        {
            _opener.Complete(RecordHeader.Size + received); // cut in the middle of this record: throws Truncated
        }

        _opener.AcceptPlain(header);
        _sink.OnDataReceived(Index, header, destination);
    }

    /// <summary>Receives the record's bytes from <paramref name="start"/> to <paramref name="length"/> into the receive buffer; a close before the end fails as Truncated.</summary>
    private void ReadRest(int start, int length)
    {
        int received = Read(_receiveBuffer.AsSpan(start, length - start));
        if (start + received < length)
        {
            _opener.Complete(start + received);
        }
    }

    /// <summary>Authenticates the record in <paramref name="record"/> and delivers it: data opened into the sink's memory, control payloads to the sink, keep-alives nowhere.</summary>
    private void Open(in ReadOnlySequence<byte> record, in RecordHeader header)
    {
        switch (header.Type)
        {
            case RecordType.Data:
                Span<byte> destination = _sink.GetDataDestination(Index, header);
                _opener.Open(record, header, destination);
                _sink.OnDataReceived(Index, header, destination);
                break;
            case RecordType.Control:
                Span<byte> payload = _controlBuffer.AsSpan(0, header.PayloadLength);
                _opener.Open(record, header, payload);
                if ((header.Flags & KeepAliveFlag) == 0)
                {
                    _sink.OnControlReceived(Index, header, payload);
                }

                break;
            default:
                _opener.Open(record, header, default);
                break;
        }
    }

    /// <summary>Fills <paramref name="span"/> with blocking reads; returns fewer bytes only when the peer closed first.</summary>
    private int Read(Span<byte> span)
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
            Interlocked.Add(ref _bytesReceived, count);
            Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount64);
        }

        return received;
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
    }
}
