using KernelZones.Migration.Diagnostics;

namespace KernelZones.Migration.Tests.Control;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("a\u001b[31mb\n", @"a\x1b[31mb\x0a")]
    [InlineData("\0\t\r\u007f\u0085\u009b", @"\x00\x09\x0d\x7f\x85\x9b")]
    [InlineData("evil\u202etxt.exe\u2028x", @"evil\u202etxt.exe\u2028x")]
    [InlineData("zoné-日本", "zoné-日本")]
    public void Controls_are_escaped_and_other_text_kept(string text, string expected) => Assert.Equal(expected, LogText.Escape(text));

    [Fact]
    public void Long_text_is_cut_and_the_cut_says_how_much()
    {
        Assert.Equal(new string('x', 256) + "...(+744 chars)", LogText.Escape(new string('x', 1000)));
        Assert.Equal(@"ab\x1b...(+2 chars)", LogText.Escape("ab\u001bcd", 3));
        Assert.Equal(string.Empty, LogText.Escape(null));
    }
}
