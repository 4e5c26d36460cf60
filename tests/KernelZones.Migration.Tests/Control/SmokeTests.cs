using FsCheck;
using FsCheck.Fluent;

namespace KernelZones.Migration.Tests.Control;

public sealed class SmokeTests
{
    [Fact]
    public void Runs() => Prop.ForAll((int x) => x + 1 - 1 == x).QuickCheckThrowOnFailure();
}
