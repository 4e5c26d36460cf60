using KernelZones.Migration.Kvm.Program;

namespace KernelZones.Migration.Kvm;

/// <summary>
/// The program every <see cref="KvmGuest"/> runs, assembled from C# source at first use: a flat binary image loaded at
/// <see cref="LoadAddress"/> and entered at <see cref="EntryPoint"/> in 32-bit flat protected mode with paging off.
/// </summary>
/// <remarks>
/// <para>The image begins with its GDT (selector 0x08 flat code, 0x10 flat data); the monitor points GDTR at it, loads
/// the segment registers' hidden parts with KVM_SET_SREGS (CR0.PE set, no paging) and sets EIP to the entry point and
/// ESP to 0x80000. Before the first run the monitor writes the parameter block at guest address 0x3000 (workload, rate,
/// working set, heartbeat interval, tick rate, PIT divisor, pages verified per step).</para>
/// <para>The program builds its IDT at 0x2000 with gates only for IRQs 0–15 (vectors 0x20–0x2F), remaps the PIC, programs
/// PIT channel 0, counts ticks on IRQ 0 and prints <c>heartbeat &lt;seq&gt; ticks=&lt;n&gt; written=&lt;n&gt; ok</c>
/// (or <c>CORRUPT page=&lt;n&gt;</c>) on COM1 once per heartbeat interval. The dirty workload writes three words per
/// page (offsets 0, 2048 and 4092), not the whole page, and verifies the same three words: at a few million emulated
/// instructions per second, whole-page writes would cap the dirty rate far below what migration tests need, while one
/// written word already dirties the page.</para>
/// <para>Thread-safety: all members may be called from any thread.</para>
/// </remarks>
public static class KvmGuestProgram
{
    private static readonly Lazy<(byte[] Image, uint EntryPoint)> s_program = new(GuestProgramAssembler.Assemble);

    /// <summary>The guest physical address the image is loaded at (0x10000).</summary>
    public static uint LoadAddress => GuestLayout.LoadAddress;

    /// <summary>The guest physical address execution starts at, inside the image.</summary>
    public static uint EntryPoint => s_program.Value.EntryPoint;

    /// <summary>The CPU mode the program starts in: <c>"protected32-flat-nopaging"</c>.</summary>
    public static string Mode => "protected32-flat-nopaging";

    /// <summary>The image's length in bytes.</summary>
    public static int Length => s_program.Value.Image.Length;

    /// <summary>Writes the flat image (the bytes to place at <see cref="LoadAddress"/>) to <paramref name="destination"/>.</summary>
    /// <param name="destination">A writable stream; it is not closed.</param>
    /// <remarks>For example, to inspect the program with a disassembler:
    /// <c>using var file = File.Create("guest.bin"); KvmGuestProgram.WriteImage(file);</c> then
    /// <c>objdump -D -b binary -m i386 --adjust-vma=0x10000 guest.bin</c>.</remarks>
    public static void WriteImage(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(s_program.Value.Image);
    }

    internal static ReadOnlySpan<byte> Image => s_program.Value.Image;
}
