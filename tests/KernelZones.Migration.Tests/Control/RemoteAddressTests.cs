using FsCheck;
using FsCheck.Fluent;
using KernelZones.Migration.Control;

namespace KernelZones.Migration.Tests.Control;

public sealed class RemoteAddressTests
{
    [Theory]
    [InlineData("global2", RemoteScheme.Rads, null, "global2", 12302)]
    [InlineData("global2:4000", RemoteScheme.Rads, null, "global2", 4000)]
    [InlineData("root@global2", RemoteScheme.Rads, "root", "global2", 12302)]
    [InlineData("rads://mem@system1.example.com:999", RemoteScheme.Rads, "mem", "system1.example.com", 999)]
    [InlineData("ssh://global2", RemoteScheme.Ssh, null, "global2", 12302)]
    [InlineData("ssh://nova@[2001:db8::1]:12303", RemoteScheme.Ssh, "nova", "2001:db8::1", 12303)]
    [InlineData("[::1]", RemoteScheme.Rads, null, "::1", 12302)]
    public void Accepted_forms_parse(string text, RemoteScheme scheme, string? user, string host, int port)
    {
        RemoteAddress address = RemoteAddress.Parse(text);
        Assert.Equal((scheme, user, host, port), (address.Scheme, address.User, address.Host, address.Port));
        Assert.Equal(address, RemoteAddress.Parse(address.ToString()));
    }

    [Theory]
    [InlineData("radg://host")]
    [InlineData("2001:db8::1")]
    [InlineData("host:0")]
    [InlineData("host:99999")]
    [InlineData("[2001:db8::1")]
    [InlineData("us er@host")]
    [InlineData("")]
    [InlineData("-bad-.example")]
    public void Other_forms_are_refused_listing_the_accepted_ones(string text)
    {
        MigrationException e = Assert.Throws<MigrationException>(() => RemoteAddress.Parse(text));
        Assert.Equal(MigrationFailureKind.InvalidAddress, e.Kind);
        Assert.Contains(RemoteAddress.AcceptedForms, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_string_parses_or_gets_our_error() =>
        Prop.ForAll<string>(text =>
        {
            try
            {
                RemoteAddress address = RemoteAddress.Parse(text ?? string.Empty);
                return RemoteAddress.Parse(address.ToString()) == address;
            }
            catch (MigrationException e)
            {
                return e.Kind == MigrationFailureKind.InvalidAddress;
            }
        }).QuickCheckThrowOnFailure();
}
