using System.Net;
using System.Net.Sockets;
using KernelZones.Migration.Transport.Keys;

namespace KernelZones.Migration.Transport.Striping;

/// <summary>The source's side of the data plane: opens the stripes of a transfer to a destination's data service.</summary>
public static class StripeConnector
{
    /// <summary>
    /// Connects every stripe of <paramref name="descriptor"/> to <paramref name="remote"/>, proves the session key
    /// on each and checks the listener's proof; returns the transfer with all stripes running.
    /// </summary>
    /// <param name="remote">The destination's data service.</param>
    /// <param name="descriptor">What the control channel negotiated.</param>
    /// <param name="sink">Where records the destination sends back go.</param>
    /// <param name="options">Settings; <see langword="null"/> means <see cref="StripeOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <exception cref="TransportException">A stripe could not connect or the listener failed its proof; nothing stays open.</exception>
    public static async Task<StripedTransfer> ConnectAsync(EndPoint remote, TransferDescriptor descriptor, IRecordSink sink, StripeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(sink);
        options ??= StripeOptions.Default;
        var transfer = new StripedTransfer(descriptor, StreamDirection.SourceToDestination, sink, options);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);

            // Each stripe connects and shakes hands on a thread of its own with blocking calls, so that its socket is
            // never used asynchronously and stays out of the runtime's event loop (see Stripe).
            await Task.WhenAll(Enumerable.Range(0, descriptor.StripeCount).Select(
                i => DedicatedThread.Start($"kz-migr connect {i}", () => ConnectStripe(transfer, remote, i, timeout.Token)).Completion)).ConfigureAwait(false);
            return transfer;
        }
        catch (Exception ex)
        {
            await transfer.DisposeAsync().ConfigureAwait(false);
            throw ex is TransportException transport ? transport : new TransportException(
                ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                    ? $"The data service at {remote} did not accept {descriptor.StripeCount} stripes within {options.ConnectTimeout.TotalSeconds:0.#} s."
                    : $"Could not open the stripes to the data service at {remote}: {ex.Message}",
                ex);
        }
    }

    private static void ConnectStripe(StripedTransfer transfer, EndPoint remote, int index, CancellationToken deadline)
    {
        var socket = new Socket(remote.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetworkV6 : remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            byte[] hello = new byte[StripeHandshake.HelloSize];
            byte[] reply = new byte[StripeHandshake.ReplySize];

            // The deadline or a cancellation closes the socket, which ends the blocking call in progress.
            using (deadline.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket))
            {
                if (socket.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = true;
                }

                socket.NoDelay = true;
                socket.Connect(remote);
                StripeHandshake.WriteHello(hello, transfer.MigrationId, index, transfer.StripeCount, transfer.HandshakeKey);
                StripeHandshake.SendAll(socket, hello);
                StripeHandshake.ReceiveExactly(socket, reply);
            }

            deadline.ThrowIfCancellationRequested(); // closed at the last moment, before the registration ended
            if (!StripeHandshake.VerifyReply(reply, hello, transfer.HandshakeKey))
            {
                throw new TransportException($"Stripe {index}: the data service at {remote} failed to prove it holds the session key.");
            }

            if (!transfer.TryAttach(index, socket))
            {
                throw transfer.AbortReason ?? new TransportException($"Stripe {index} could not be attached.");
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException && deadline.IsCancellationRequested)
        {
            socket.Dispose();
            throw new OperationCanceledException($"Stripe {index} did not connect before its deadline.", ex, deadline);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
