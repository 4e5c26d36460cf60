using KernelZones.Migration.Authentication;
using KernelZones.Migration.Control;

namespace KernelZones.Migration.Tests.Control;

/// <summary>A destination on 127.0.0.1 with a certificate generated at test start and a few users.</summary>
internal sealed class TestDestination : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";
    private readonly string _directory = Directory.CreateTempSubdirectory("kz-control-").FullName;

    public TestDestination(Func<UserDatabase, UserDatabase>? users = null, Func<ControlServiceOptions, ControlServiceOptions>? configure = null)
    {
        Identity = ServerIdentity.LoadOrCreate(Path.Combine(_directory, "identity"), "kz-dest");
        ClientKey = ClientKey.Generate("alice@source");
        PasswordVerifier verifier = PasswordVerifier.CreateUnchecked(Password, 1000);
        string text = string.Join('\n',
            UserDatabase.FormatEntry("alice", ZoneAuthorization.All, verifier),
            UserDatabase.FormatEntry("bob", ZoneAuthorization.For(["web1"]), verifier),
            UserDatabase.FormatEntry("mallory", ZoneAuthorization.None, verifier));
        UserDatabase database = UserDatabase.Parse(text, "users", 1000)
            .WithAuthorizedKeys("alice", AuthorizedKeys.Parse(ClientKey.PublicKey.ToString()))
            .WithAuthorizedKeys("mallory", AuthorizedKeys.Parse(ClientKey.PublicKey.ToString()));
        var options = new ControlServiceOptions
        {
            ListenAddress = System.Net.IPAddress.Loopback,
            Port = 0,
            Identity = Identity,
            Users = users?.Invoke(database) ?? database,
            AuthenticationFailureDelay = TimeSpan.Zero,
            MaxAuthenticationFailureDelay = TimeSpan.Zero,
        };
        Service = new ControlService(configure?.Invoke(options) ?? options, HandleAsync);
        Service.Start();
        KnownHostsPath = Path.Combine(_directory, "known_hosts");
        File.WriteAllText(KnownHostsPath, $"127.0.0.1:{Service.Port} {Identity.Fingerprint}\n");
    }

    public ServerIdentity Identity { get; }

    public ClientKey ClientKey { get; }

    public ControlService Service { get; }

    public string KnownHostsPath { get; }

    /// <summary>Completes with each connection the service handed to its handler (its user).</summary>
    public TaskCompletionSource<ControlConnection> Handed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int HandedCount;

    public ControlClientOptions ClientOptions => new() { KnownHostsPath = KnownHostsPath, ConnectTimeout = TimeSpan.FromSeconds(20) };

    public RemoteAddress Address(string scheme, string user) => RemoteAddress.Parse($"{scheme}://{user}@127.0.0.1:{Service.Port}");

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Identity.Dispose();
        ClientKey.Dispose();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private async Task HandleAsync(ControlConnection connection, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref HandedCount);
        Handed.TrySetResult(connection);
        // Echo: answer each message with an acknowledgement of its kind until the peer leaves.
        while (!cancellationToken.IsCancellationRequested)
        {
            ControlMessage message = await connection.ReceiveAsync(cancellationToken);
            await connection.SendAsync(new Acknowledged(message.Kind), cancellationToken);
        }
    }
}
