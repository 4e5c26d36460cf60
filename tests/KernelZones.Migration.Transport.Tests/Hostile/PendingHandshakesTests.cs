using KernelZones.Migration.Transport.Striping;

namespace KernelZones.Migration.Transport.Tests.Hostile;

public sealed class PendingHandshakesTests
{
    [Fact]
    public void A_full_list_evicts_its_oldest_unopened_entry_and_never_a_protected_one()
    {
        var pending = new PendingHandshakes(3);
        var first = pending.TryAdmit(CancellationToken.None)!;
        var second = pending.TryAdmit(CancellationToken.None)!;
        var third = pending.TryAdmit(CancellationToken.None)!;
        Assert.True(pending.TryProtect(first));

        var fourth = pending.TryAdmit(CancellationToken.None);

        Assert.NotNull(fourth);
        Assert.False(first.Token.IsCancellationRequested);
        Assert.True(second.Token.IsCancellationRequested);
        Assert.False(pending.TryProtect(second));
        Assert.False(third.Token.IsCancellationRequested);

        Assert.True(pending.TryProtect(third));
        Assert.True(pending.TryProtect(fourth!));
        Assert.Null(pending.TryAdmit(CancellationToken.None));

        pending.Remove(first);
        pending.Remove(second);
        Assert.NotNull(pending.TryAdmit(CancellationToken.None));
    }

    [Fact]
    public void Stopping_cancels_every_entry()
    {
        using var stopping = new CancellationTokenSource();
        var pending = new PendingHandshakes(2);
        var entry = pending.TryAdmit(stopping.Token)!;

        stopping.Cancel();

        Assert.True(entry.Token.IsCancellationRequested);
        pending.Remove(entry);
    }
}
