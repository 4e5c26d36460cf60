using System.Net;
using KernelZones.Migration.Control.Internal;
using Rejection = KernelZones.Migration.Control.Internal.ConnectionAdmission.Rejection;

namespace KernelZones.Migration.Tests.Control;

/// <summary>The control service's fair admission: caps per address, per prefix and in total; the busiest holder pays; protected entries never do.</summary>
public sealed class ConnectionAdmissionTests
{
    [Fact]
    public void An_address_at_its_limit_is_refused_at_once_and_displaces_nobody()
    {
        var admission = new ConnectionAdmission(capacity: 10, perAddressLimit: 2, perPrefixLimit: 10);
        var first = Admit(admission, "10.0.0.1");
        var second = Admit(admission, "10.0.0.1");

        var third = admission.TryAdmit(IPAddress.Parse("10.0.0.1"), CancellationToken.None);

        Assert.Equal((null, Rejection.AddressLimit, null), (third.Entry, third.Refused, third.ShedFrom));
        Assert.False(first.Token.IsCancellationRequested);
        Assert.False(second.Token.IsCancellationRequested);
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("10.0.0.2"), CancellationToken.None).Entry);

        admission.Remove(first);
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("10.0.0.1"), CancellationToken.None).Entry);
    }

    [Fact]
    public void A_full_prefix_sheds_the_oldest_unprotected_entry_of_its_busiest_address_and_leaves_other_prefixes_alone()
    {
        var admission = new ConnectionAdmission(capacity: 100, perAddressLimit: 10, perPrefixLimit: 4);
        var quiet = Admit(admission, "10.0.0.1");
        var busy = new[] { Admit(admission, "10.0.0.2"), Admit(admission, "10.0.0.2"), Admit(admission, "10.0.0.2") };
        var elsewhere = Admit(admission, "10.0.1.1");

        var newcomer = admission.TryAdmit(IPAddress.Parse("10.0.0.3"), CancellationToken.None);

        Assert.NotNull(newcomer.Entry);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), newcomer.ShedFrom);
        Assert.True(busy[0].Token.IsCancellationRequested);
        Assert.False(admission.TryProtect(busy[0]));
        Assert.All(new[] { quiet, busy[1], busy[2], elsewhere }, e => Assert.False(e.Token.IsCancellationRequested));
        Assert.Equal(5, admission.Count);
    }

    [Fact]
    public void A_prefix_full_of_protected_entries_refuses_newcomers_from_it_only()
    {
        var admission = new ConnectionAdmission(capacity: 100, perAddressLimit: 10, perPrefixLimit: 2);
        Assert.True(admission.TryProtect(Admit(admission, "192.168.7.1")));
        Assert.True(admission.TryProtect(Admit(admission, "192.168.7.2")));

        var refused = admission.TryAdmit(IPAddress.Parse("192.168.7.3"), CancellationToken.None);

        Assert.Equal((null, Rejection.PrefixLimit, null), (refused.Entry, refused.Refused, refused.ShedFrom));
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("192.168.8.1"), CancellationToken.None).Entry);
    }

    [Fact]
    public void A_full_total_sheds_from_the_busiest_address_of_the_busiest_prefix_not_the_oldest_entry()
    {
        var admission = new ConnectionAdmission(capacity: 6, perAddressLimit: 10, perPrefixLimit: 10);
        var oldest = Admit(admission, "10.0.0.1");
        var smallPrefix = Admit(admission, "10.0.1.1");
        var bigPrefixSmallAddress = Admit(admission, "10.0.2.9");
        var busiest = new[] { Admit(admission, "10.0.2.1"), Admit(admission, "10.0.2.1"), Admit(admission, "10.0.2.1") };

        var newcomer = admission.TryAdmit(IPAddress.Parse("10.0.3.1"), CancellationToken.None);

        Assert.NotNull(newcomer.Entry);
        Assert.Equal(IPAddress.Parse("10.0.2.1"), newcomer.ShedFrom);
        Assert.True(busiest[0].Token.IsCancellationRequested, "the busiest address's oldest entry");
        Assert.All(new[] { oldest, smallPrefix, bigPrefixSmallAddress, busiest[1], busiest[2] }, e => Assert.False(e.Token.IsCancellationRequested));
        Assert.Equal(6, admission.Count);
    }

    [Fact]
    public void Protected_entries_are_never_shed_and_a_total_full_of_them_refuses_newcomers()
    {
        var admission = new ConnectionAdmission(capacity: 3, perAddressLimit: 10, perPrefixLimit: 10);
        var busyProtected = new[] { Admit(admission, "10.0.0.1"), Admit(admission, "10.0.0.1") };
        busyProtected.ToList().ForEach(e => Assert.True(admission.TryProtect(e)));
        var lone = Admit(admission, "10.0.9.1");

        // The busiest holder's entries are all protected: the newcomer displaces the only unprotected one instead.
        var second = admission.TryAdmit(IPAddress.Parse("10.0.8.1"), CancellationToken.None);
        Assert.Equal(IPAddress.Parse("10.0.9.1"), second.ShedFrom);
        Assert.True(lone.Token.IsCancellationRequested);
        Assert.True(admission.TryProtect(second.Entry!));

        var refused = admission.TryAdmit(IPAddress.Parse("10.0.7.1"), CancellationToken.None);

        Assert.Equal((null, Rejection.Full, null), (refused.Entry, refused.Refused, refused.ShedFrom));
        Assert.All(busyProtected, e => Assert.False(e.Token.IsCancellationRequested));
        admission.Remove(lone);
        Assert.Equal(3, admission.Count);
    }

    [Fact]
    public void IPv4_mapped_addresses_count_as_IPv4_and_IPv6_is_grouped_by_its_64_prefix()
    {
        var admission = new ConnectionAdmission(capacity: 100, perAddressLimit: 1, perPrefixLimit: 2);
        var plain = Admit(admission, "10.0.0.1");

        Assert.Equal(Rejection.AddressLimit, admission.TryAdmit(IPAddress.Parse("::ffff:10.0.0.1"), CancellationToken.None).Refused);
        var mapped = admission.TryAdmit(IPAddress.Parse("::ffff:10.0.0.2"), CancellationToken.None);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), mapped.Entry!.Address);
        Assert.Equal(IPAddress.Parse("10.0.0.0"), mapped.Entry.Prefix);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), admission.TryAdmit(IPAddress.Parse("10.0.0.3"), CancellationToken.None).ShedFrom);
        Assert.True(plain.Token.IsCancellationRequested);

        Assert.Equal(IPAddress.Parse("2001:db8:1:2::"), ConnectionAdmission.PrefixOf(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        Assert.Equal(IPAddress.Parse("127.0.0.0"), ConnectionAdmission.PrefixOf(IPAddress.Parse("127.0.0.2")));
        Assert.Equal(IPAddress.Parse("127.0.1.0"), ConnectionAdmission.PrefixOf(IPAddress.Parse("127.0.1.1")));
        Admit(admission, "2001:db8:1:2::1");
        Admit(admission, "2001:db8:1:2::2");
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("2001:db8:1:3::1"), CancellationToken.None).Entry);
        Assert.Equal(IPAddress.Parse("2001:db8:1:2::1"), admission.TryAdmit(IPAddress.Parse("2001:db8:1:2::3"), CancellationToken.None).ShedFrom);
    }

    [Fact]
    public void Stopping_cancels_every_entry()
    {
        using var stopping = new CancellationTokenSource();
        var admission = new ConnectionAdmission(capacity: 4, perAddressLimit: 4, perPrefixLimit: 4);
        var entry = admission.TryAdmit(IPAddress.Loopback, stopping.Token).Entry!;

        stopping.Cancel();

        Assert.True(entry.Token.IsCancellationRequested);
        admission.Remove(entry);
        Assert.Equal(0, admission.Count);
    }

    private static ConnectionAdmission.Entry Admit(ConnectionAdmission admission, string address)
    {
        var admitted = admission.TryAdmit(IPAddress.Parse(address), CancellationToken.None);
        Assert.Null(admitted.ShedFrom);
        return admitted.Entry ?? throw new InvalidOperationException($"{address} was refused: {admitted.Refused}");
    }
}
