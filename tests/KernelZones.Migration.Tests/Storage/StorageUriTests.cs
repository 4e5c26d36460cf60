using KernelZones.Migration.Storage;

namespace KernelZones.Migration.Tests.Storage;

public sealed class StorageUriTests
{
    [Theory]
    [InlineData("dev:dsk/c0t0d0s0", "dev:/dev/dsk/c0t0d0s0")]
    [InlineData("dev:///dev/dsk/c0t0d0s0", "dev:/dev/dsk/c0t0d0s0")]
    [InlineData("dev:/dev/dsk/c0t0d0s0", "dev:/dev/dsk/c0t0d0s0")]
    [InlineData("dev:chassis/SYS/HD1/disk", "dev:/dev/chassis/SYS/HD1/disk")]
    [InlineData("dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kz1/disk0", "dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kz1/disk0")]
    [InlineData("lu:luname.naa.5000c5000288fa25", "lu:luname.naa.5000c5000288fa25")]
    [InlineData("lu:initiator.naa.2100001d38089fb0,target.naa.2100001d38089fb0,luname.naa.5000c5000288fa25", "lu:initiator.naa.2100001d38089fb0,target.naa.2100001d38089fb0,luname.naa.5000c5000288fa25")]
    [InlineData("lu:luname.eui.0123456789ABCDEF", "lu:luname.eui.0123456789abcdef")]
    [InlineData("iscsi://hostname:3260/luname.naa.600144f03d70c80000004ea57da10001", "iscsi://hostname:3260/luname.naa.600144f03d70c80000004ea57da10001")]
    [InlineData("iscsi://[::1]/target.iqn.com.sun:02:d0f2d311-f703,lun.2", "iscsi://[::1]/target.iqn.com.sun:02:d0f2d311-f703,lun.2")]
    [InlineData("iscsi://zfssa/luname.naa.600144F0DBF8AF19000052E820D60003", "iscsi://zfssa/luname.naa.600144f0dbf8af19000052e820d60003")]
    [InlineData("iscsi://system/luname.naa.501337600144f0dbf8af1900", "iscsi://system/luname.naa.501337600144f0dbf8af1900")]
    [InlineData("iscsi:///luname.eui.0123456789abcdef", "iscsi:///luname.eui.0123456789abcdef")]
    [InlineData("iscsi:///target.iqn.1986-03.com.sun:02:abc,lun.0", "iscsi:///target.iqn.1986-03.com.sun:02:abc,lun.0")]
    [InlineData("nfs://admin:staff@host/export/test/nfs_file", "nfs://admin:staff@host/export/test/nfs_file")]
    [InlineData("nfs://admin:staff@host:1000/export/test/nfs_file", "nfs://admin:staff@host:1000/export/test/nfs_file")]
    [InlineData("nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0", "nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0")]
    [InlineData("nfs://0:10@[2001:DB8::1]:2049/a/b", "nfs://0:10@[2001:db8::1]:2049/a/b")]
    [InlineData("file:///export/zones/disk0", "file:///export/zones/disk0")]
    public void Reference_examples_parse_and_print_canonically(string text, string canonical)
    {
        StorageUri uri = StorageUri.Parse(text);
        Assert.Equal(canonical, uri.ToString());
        Assert.Equal(uri, StorageUri.Parse(canonical));
    }

    [Theory]
    [InlineData("dev:dsk/c0t0d0s0", nameof(StorageUriKind.Device), false)]
    [InlineData("file:///a/b", nameof(StorageUriKind.File), false)]
    [InlineData("lu:luname.naa.5000c5000288fa25", nameof(StorageUriKind.LogicalUnit), true)]
    [InlineData("iscsi://h/luname.naa.5000c5000288fa25", nameof(StorageUriKind.Iscsi), true)]
    [InlineData("nfs://u:g@h/a/b", nameof(StorageUriKind.Nfs), true)]
    public void Kind_and_sharing_follow_the_scheme(string text, string kind, bool shared)
    {
        StorageUri uri = StorageUri.Parse(text);
        Assert.Equal(Enum.Parse<StorageUriKind>(kind), uri.Kind);
        Assert.Equal(shared, uri.IsShared);
    }

    [Fact]
    public void Iscsi_parts_are_typed_with_the_default_port()
    {
        var uri = (IscsiStorageUri)StorageUri.Parse("iscsi://[::1]/target.iqn.com.sun:02:d0f2d311-f703,lun.2");
        Assert.Equal("[::1]", uri.Host);
        Assert.Null(uri.Port);
        Assert.Equal(3260, uri.EffectivePort);
        Assert.Equal("iqn.com.sun:02:d0f2d311-f703", uri.TargetName);
        Assert.Equal(2, uri.Lun);
        Assert.Null(uri.LogicalUnitName);
    }

    [Fact]
    public void Nfs_parts_are_typed()
    {
        var uri = (NfsStorageUri)StorageUri.Parse("nfs://admin:staff@host:1000/export/test/nfs_file");
        Assert.Equal(("admin", "staff", "host", 1000, "/export/test/nfs_file"), (uri.User, uri.Group, uri.Host, uri.Port!.Value, uri.Path));
    }

    [Theory]
    [InlineData("", nameof(StorageUriPart.Whole))]
    [InlineData("http://x/y", nameof(StorageUriPart.Scheme))]
    [InlineData("dev:dsk/c0 t0", nameof(StorageUriPart.Whole))]
    [InlineData("dev:dsk/c0$t0", nameof(StorageUriPart.Path))]
    [InlineData("dev:/dev//dsk", nameof(StorageUriPart.Path))]
    [InlineData("dev:/dev/../etc", nameof(StorageUriPart.Path))]
    [InlineData("lu:luname.naa.123", nameof(StorageUriPart.LogicalUnit))]
    [InlineData("lu:luname.xyz.5000c5000288fa25", nameof(StorageUriPart.LogicalUnit))]
    [InlineData("lu:initiator.eui.2100001d38089fb0,target.naa.2100001d38089fb0,luname.naa.5000c5000288fa25", nameof(StorageUriPart.Initiator))]
    [InlineData("lu:initiator.naa.2100001d38089fb0,target.naa.21,luname.naa.5000c5000288fa25", nameof(StorageUriPart.Target))]
    [InlineData("iscsi://host:0/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Port))]
    [InlineData("iscsi://host:65536/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Port))]
    [InlineData("iscsi://[::1/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Host))]
    [InlineData("iscsi://[zz::1]/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Host))]
    [InlineData("iscsi://-bad-/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Host))]
    [InlineData("iscsi://h/target.iqn.x,lun.99999", nameof(StorageUriPart.Lun))]
    [InlineData("iscsi://h/target.bogus,lun.1", nameof(StorageUriPart.Target))]
    [InlineData("iscsi:/h/luname.naa.5000c5000288fa25", nameof(StorageUriPart.Scheme))]
    [InlineData("nfs://admin@host/a", nameof(StorageUriPart.User))]
    [InlineData("nfs://admin:@host/a", nameof(StorageUriPart.Group))]
    [InlineData("nfs://a:b@/x/y", nameof(StorageUriPart.Host))]
    [InlineData("nfs://a:b@host", nameof(StorageUriPart.Path))]
    [InlineData("file://host/a", nameof(StorageUriPart.Host))]
    public void Invalid_uris_name_the_part(string text, string part)
    {
        StorageUriFormatException e = Assert.Throws<StorageUriFormatException>(() => StorageUri.Parse(text));
        Assert.Equal(Enum.Parse<StorageUriPart>(part), e.Part);
        Assert.Contains(e.Reason, e.Message, StringComparison.Ordinal);
        Assert.False(StorageUri.TryParse(text, out _));
    }

    [Fact]
    public void Overlong_uri_is_refused_before_parsing()
    {
        string text = "nfs://a:b@h/" + new string('x', StorageUri.MaxLength);
        Assert.Equal(StorageUriPart.Whole, Assert.Throws<StorageUriFormatException>(() => StorageUri.Parse(text)).Part);
    }
}
