namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmWorkloadTests
{
    [Theory]
    [InlineData("idle", KvmWorkloadKind.Idle, 0, 0)]
    [InlineData("triple-fault", KvmWorkloadKind.TripleFault, 0, 0)]
    [InlineData("dirty:8:16MiB", KvmWorkloadKind.Dirty, 8, 16L << 20)]
    [InlineData("dirty:0.5:64KiB", KvmWorkloadKind.Dirty, 0.5, 64L << 10)]
    [InlineData("dirty:0:1GiB", KvmWorkloadKind.Dirty, 0, 1L << 30)]
    [InlineData("dirty:1:8192", KvmWorkloadKind.Dirty, 1, 8192)]
    public void ParsesEveryForm(string text, KvmWorkloadKind kind, double rate, long workingSet)
    {
        KvmWorkload workload = KvmWorkload.Parse(text);

        Assert.Equal(kind, workload.Kind);
        Assert.Equal(rate, workload.RateMiBPerSecond);
        Assert.Equal(workingSet, workload.WorkingSetBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("busy")]
    [InlineData("dirty:8")]
    [InlineData("dirty:x:1MiB")]
    [InlineData("dirty:-1:1MiB")]
    [InlineData("dirty:8:1000")]
    [InlineData("dirty:8:0")]
    [InlineData("dirty:8:99999999999999GiB")]
    [InlineData("idle:1")]
    public void RefusesMalformedText(string text)
    {
        Assert.Throws<FormatException>(() => KvmWorkload.Parse(text));
    }
}
