using KernelZones.Migration.Precopy;

namespace KernelZones.Migration.Tests.Precopy;

public sealed class RoundDeliveryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_round_is_delivered_only_when_every_stripe_has_marked_it()
    {
        var delivery = new RoundDelivery(stripeCount: 3);
        var wait = delivery.WaitAsync(1, CancellationToken.None);
        delivery.MarkDelivered(0, 1);
        delivery.MarkDelivered(2, 5);
        delivery.MarkDelivered(1, 0);
        Assert.False(wait.IsCompleted);

        delivery.MarkDelivered(1, 1);

        await wait.WaitAsync(s_timeout);
        await delivery.WaitAsync(0, CancellationToken.None).WaitAsync(s_timeout);
    }

    [Fact]
    public async Task A_late_marker_of_an_older_round_does_not_move_a_stripe_back()
    {
        var delivery = new RoundDelivery(stripeCount: 1);
        delivery.MarkDelivered(0, 4);
        delivery.MarkDelivered(0, 2);

        await delivery.WaitAsync(4, CancellationToken.None).WaitAsync(s_timeout);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(2, 0)]
    [InlineData(0, -1)]
    public void A_marker_for_a_stripe_or_round_that_does_not_exist_is_a_protocol_error(int stripe, long round)
    {
        var delivery = new RoundDelivery(stripeCount: 2);

        var error = Assert.Throws<MigrationException>(() => delivery.MarkDelivered(stripe, round));

        Assert.Equal(MigrationFailureKind.Protocol, error.Kind);
    }

    [Fact]
    public async Task Waiting_can_be_cancelled()
    {
        var delivery = new RoundDelivery(stripeCount: 2);
        using var cancel = new CancellationTokenSource();
        var wait = delivery.WaitAsync(0, cancel.Token);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(s_timeout));
    }
}
