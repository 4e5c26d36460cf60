using System.Buffers.Binary;
using Iced.Intel;

namespace KernelZones.Migration.Kvm.Tests;

public sealed class KvmGuestProgramTests
{
    [Fact]
    public void ImageStartsWithItsFlatGdtAndDecodesFromTheEntryPoint()
    {
        using var stream = new MemoryStream();
        KvmGuestProgram.WriteImage(stream);
        byte[] image = stream.ToArray();

        Assert.Equal(KvmGuestProgram.Length, image.Length);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(image));
        Assert.Equal(0x00CF_9B00_0000_FFFFUL, BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(8)));
        Assert.Equal(0x00CF_9300_0000_FFFFUL, BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(16)));
        Assert.InRange(KvmGuestProgram.EntryPoint, KvmGuestProgram.LoadAddress + 24, KvmGuestProgram.LoadAddress + (uint)image.Length - 1);

        // The first instruction at the entry point disables interrupts, as the program's startup does.
        var decoder = Decoder.Create(32, new ByteArrayCodeReader(image, (int)(KvmGuestProgram.EntryPoint - KvmGuestProgram.LoadAddress), 16));
        decoder.IP = KvmGuestProgram.EntryPoint;
        Assert.Equal(Mnemonic.Cli, decoder.Decode().Mnemonic);
        Assert.Equal("protected32-flat-nopaging", KvmGuestProgram.Mode);
    }
}
