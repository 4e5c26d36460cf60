using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KernelZones.Samples.Tests;

/// <summary>
/// A stand-in OpenTelemetry collector on 127.0.0.1: accepts OTLP/HTTP exports (any path, answered 200) and keeps each
/// request's body by path.
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
    private readonly Task _accepting;

    public OtlpCollector()
    {
        int port = FreePort();
        Endpoint = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The URL to give the exporter (without a signal's path).</summary>
    public string Endpoint { get; }

    /// <summary>Every body received on <paramref name="path"/>, as UTF-8 text (protobuf keeps strings readable).</summary>
    public string Received(string path) =>
        string.Join('\n', _requests.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _listener.Close();
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context = await _listener.GetContextAsync();
            using (var body = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(body);
                _requests.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }
}
