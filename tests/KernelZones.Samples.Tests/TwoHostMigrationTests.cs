using System.Security.Cryptography;
using KernelZones.Migration.Authentication;

namespace KernelZones.Samples.Tests;

/// <summary>The real ReceiverHost and SenderHost programs migrate a zone over 127.0.0.1.</summary>
public sealed class TwoHostMigrationTests
{
    private static readonly string[] s_steps = TwoHosts.MigrationSteps("kz1");

    [Fact]
    public async Task Password_MigratesTheZone_SourceConfigured_DestinationRunning()
    {
        await using var hosts = new TwoHosts();
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await hosts.AddUserAsync("root", password);
        await hosts.StartReceiverAsync();
        await hosts.CreateRunningZoneAsync("kz1", "64M");
        string remote = $"root@127.0.0.1:{hosts.ControlPort}";

        string passwordFile = Path.Combine(hosts.Root, "password");
        File.WriteAllText(passwordFile, password + "\n");
        var list = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", "-c", "list", "--password-file", passwordFile, remote]);
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"^source ciphers: aes-128-ccm .*\ndestination ciphers: aes-128-ccm .*\n$", list.Output.ReplaceLineEndings("\n") + "\n");
        Assert.Contains("permanently added '127.0.0.1:", list.Error, StringComparison.Ordinal);

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", remote], new() { ["KZ_PASSWORD"] = password });

        Assert.True(migrate.ExitCode == 0, migrate.Output + "\n" + migrate.Error);
        Assert.Equal(s_steps, StepLines(migrate.Output));
        Assert.Matches(@"summary: total \d+\.\d\d s .*downtime \d+ ms .*\d+ rounds", migrate.Output);
        await AssertMigratedAsync(hosts);
    }

    [Fact]
    public async Task Key_MigratesTheZone_OverSsh()
    {
        await using var hosts = new TwoHosts();
        using var key = ClientKey.Generate("test@sender");
        string privateKey = Path.Combine(hosts.Root, "id_ecdsa");
        string publicKey = privateKey + ".pub";
        File.WriteAllText(privateKey, key.ExportPkcs8Pem());
        File.WriteAllText(publicKey, key.PublicKey + "\n");
        await hosts.AddUserAsync("migrator", null, "--no-password", "--zones", "kz1", "--key", publicKey);
        await hosts.StartReceiverAsync();
        await hosts.CreateRunningZoneAsync("kz1", "64M");
        string remote = $"ssh://migrator@127.0.0.1:{hosts.ControlPort}";

        var dryRun = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", "-n", "-i", privateKey, remote]);
        Assert.True(dryRun.ExitCode == 0, dryRun.Output + "\n" + dryRun.Error);
        Assert.Equal([.. s_steps[..4], "zoneadm: zone 'kz1': Cleaning up.", "zoneadm: zone 'kz1': Dry-run migration successful."], StepLines(dryRun.Output));

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", "-i", privateKey, remote]);

        Assert.True(migrate.ExitCode == 0, migrate.Output + "\n" + migrate.Error);
        Assert.Equal(s_steps, StepLines(migrate.Output));
        await hosts.Receiver.WaitForLineAsync(l => l.Contains("User 'migrator' authenticated", StringComparison.Ordinal) && l.Contains("key", StringComparison.Ordinal), TwoHosts.Timeout);
        await AssertMigratedAsync(hosts);
    }

    [Fact]
    public async Task WrongPassword_FailsWithZoneadmError_ZoneKeepsRunning()
    {
        await using var hosts = new TwoHosts();
        await hosts.AddUserAsync("root", "the-right-one");
        await hosts.StartReceiverAsync();
        await hosts.CreateRunningZoneAsync("kz1", "64M");

        var migrate = await hosts.SenderAsync(["zoneadm", "-z", "kz1", "migrate", $"root@127.0.0.1:{hosts.ControlPort}"], new() { ["KZ_PASSWORD"] = "a-wrong-one" });

        Assert.Equal(1, migrate.ExitCode);
        Assert.Empty(StepLines(migrate.Output));
        string[] errors = [.. migrate.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("Warning: ", StringComparison.Ordinal))];
        Assert.True(errors.Length == 2, migrate.Error);
        Assert.StartsWith("zoneadm: zone 'kz1': ", errors[0], StringComparison.Ordinal);
        Assert.Contains("authentication", errors[0], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("zoneadm: zone 'kz1': migrate failed.", errors[^1]);
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Contains("kz1              running", list.Output, StringComparison.Ordinal);
    }

    private static async Task AssertMigratedAsync(TwoHosts hosts)
    {
        var list = await hosts.SenderAsync(["zoneadm", "list", "-s"]);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(
            "NAME             STATUS           AUXILIARY STATE\nglobal           running\nkz1              configured\n",
            list.Output.ReplaceLineEndings("\n") + "\n");

        await hosts.Receiver.WaitForLineAsync(l => l.Contains("Zone 'kz1' is running on this host", StringComparison.Ordinal), TwoHosts.Timeout);
        Assert.Contains("kz1              running", File.ReadAllText(Path.Combine(hosts.ReceiverState, "status")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(hosts.ReceiverState, "zones", "kz1.cfg")));

        hosts.Receiver.Terminate();
        Assert.Equal(0, await hosts.Receiver.WaitForExitAsync(TwoHosts.Timeout));
        string receiverOutput = hosts.Receiver.Output;
        Assert.Matches(@"(?m)^online +\d{1,2}:\d\d:\d\d svc:/network/kz-migr:stream\n^online +\d{1,2}:\d\d:\d\d svc:/system/rad:remote$", receiverOutput);
        Assert.Contains("Stopped", receiverOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(hosts.ReceiverState, "status")));
    }

    private static string[] StepLines(string output) =>
        [.. output.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("zoneadm: zone 'kz1': ", StringComparison.Ordinal))];
}
