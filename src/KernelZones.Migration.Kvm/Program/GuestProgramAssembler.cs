using System.Text;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static KernelZones.Migration.Kvm.Program.GuestLayout;

namespace KernelZones.Migration.Kvm.Program;

/// <summary>
/// Assembles the guest program (32-bit flat protected mode, paging off) with Iced's assembler. The image starts with the
/// GDT (null, flat code 0x08, flat data 0x10), then strings, then code. It installs interrupt gates for IRQs 0–15 at
/// vectors 0x20–0x2F (all other vectors stay not-present), remaps the PIC, programs PIT channel 0, counts timer ticks,
/// runs the workload from the parameter block and prints heartbeats on the UART with one <c>rep outsb</c> per line.
/// </summary>
/// <remarks>
/// Handler and string addresses are immediates in the code, so the program is assembled twice: once to learn where the
/// labels land, once with those addresses. Every such operand is a 32-bit immediate, whose size does not depend on its
/// value; the second pass is checked to produce the same layout.
/// </remarks>
internal static class GuestProgramAssembler
{
    private const int Workload_Dirty = 1;
    private const int Workload_TripleFault = 2;
    private const ushort Com1 = 0x3F8;

    private static readonly string[] s_strings = ["heartbeat ", " ticks=", " written=", " ok\n", " CORRUPT page="];

    public static (byte[] Image, uint EntryPoint) Assemble()
    {
        Addresses first = Pass(default, out _);
        Addresses second = Pass(first, out byte[] image);
        if (second != first)
        {
            throw new InvalidOperationException("The guest program's layout changed between its two assembly passes.");
        }

        return (image, second.Entry);
    }

    private readonly record struct Addresses(uint Entry, uint Timer, uint MasterIrq, uint SlaveIrq, uint Heartbeat, uint Ticks, uint Written, uint Ok, uint Corrupt);

    private static Addresses Pass(Addresses known, out byte[] image)
    {
        var asm = new Assembler(32);
        Label entry = asm.CreateLabel("entry");
        Label timer = asm.CreateLabel("timer");
        Label masterIrq = asm.CreateLabel("master_irq");
        Label slaveIrq = asm.CreateLabel("slave_irq");
        Label[] strings = s_strings.Select(s => asm.CreateLabel()).ToArray();

        EmitGdt(asm);
        for (int i = 0; i < s_strings.Length; i++)
        {
            asm.Label(ref strings[i]);
            asm.db(Encoding.ASCII.GetBytes(s_strings[i]));
        }

        asm.Label(ref timer);
        asm.push(eax);
        asm.inc(__dword_ptr[STicks]);
        asm.mov(al, 0x20);
        asm.@out(0x20, al);
        EmitInterruptReturn(asm);

        asm.Label(ref masterIrq);
        asm.push(eax);
        asm.mov(al, 0x20);
        asm.@out(0x20, al);
        EmitInterruptReturn(asm);

        asm.Label(ref slaveIrq);
        asm.push(eax);
        asm.mov(al, 0x20);
        asm.@out(0xA0, al);
        asm.@out(0x20, al);
        EmitInterruptReturn(asm);

        asm.Label(ref entry);
        EmitStartup(asm, known);
        EmitMainLoop(asm, known);

        var writer = new ImageWriter();
        AssemblerResult result = asm.Assemble(writer, LoadAddress, BlockEncoderOptions.ReturnNewInstructionOffsets);
        image = writer.Bytes.ToArray();
        return new Addresses(
            Rip(result, entry), Rip(result, timer), Rip(result, masterIrq), Rip(result, slaveIrq),
            Rip(result, strings[0]), Rip(result, strings[1]), Rip(result, strings[2]), Rip(result, strings[3]), Rip(result, strings[4]));
    }

    /// <summary>
    /// Returns from an interrupt with eax saved on the stack, without IRET: KVM's instruction emulator handles IRET only
    /// in real mode, so where guest code is emulated (nested, software-assisted KVM) a protected-mode IRET stops the guest
    /// with an emulation failure. Same-privilege delivery pushed EFLAGS, CS, EIP; the frame is rearranged to EFLAGS, EIP
    /// and left with POPFD and RET. An interrupt taken between the two nests on the stack and returns to the RET.
    /// </summary>
    private static void EmitInterruptReturn(Assembler asm)
    {
        // [esp] = eax, [esp+4] = EIP, [esp+8] = CS, [esp+12] = EFLAGS
        asm.mov(eax, __dword_ptr[esp + 4]);
        asm.xchg(__dword_ptr[esp + 12], eax);
        asm.mov(__dword_ptr[esp + 8], eax);
        asm.pop(eax);
        asm.add(esp, 4);
        asm.popfd();
        asm.ret();
    }

    private static uint Rip(AssemblerResult result, Label label) => checked((uint)result.GetLabelRIP(label));

    private static void EmitGdt(Assembler asm)
    {
        asm.dq(0UL);
        asm.dq(0x00CF_9B00_0000_FFFFUL); // 0x08: code, base 0, limit 4 GiB, 32-bit, execute/read, accessed
        asm.dq(0x00CF_9300_0000_FFFFUL); // 0x10: data, base 0, limit 4 GiB, 32-bit, read/write, accessed
    }

    /// <summary>IDT gates, PIC remap (IRQ0–7 → 0x20, IRQ8–15 → 0x28, only IRQ0 unmasked), PIT channel 0 in rate-generator mode, status init.</summary>
    private static void EmitStartup(Assembler asm, Addresses known)
    {
        Label setGate = asm.CreateLabel();
        Label masterLoop = asm.CreateLabel();
        Label slaveLoop = asm.CreateLabel();
        Label gatesDone = asm.CreateLabel();

        asm.cli();
        asm.mov(edi, IdtAddress + (0x20 * 8));
        asm.mov(eax, known.Timer);
        asm.call(setGate);
        asm.mov(ecx, 7);
        asm.mov(eax, known.MasterIrq);
        asm.Label(ref masterLoop);
        asm.call(setGate);
        asm.dec(ecx);
        asm.jnz(masterLoop);
        asm.mov(ecx, 8);
        asm.mov(eax, known.SlaveIrq);
        asm.Label(ref slaveLoop);
        asm.call(setGate);
        asm.dec(ecx);
        asm.jnz(slaveLoop);
        asm.jmp(gatesDone);

        // eax = handler, edi = gate; a present, DPL 0, 32-bit interrupt gate through selector 0x08.
        asm.Label(ref setGate);
        asm.mov(edx, eax);
        asm.and(edx, 0xFFFF);
        asm.or(edx, CodeSelector << 16);
        asm.mov(__dword_ptr[edi], edx);
        asm.mov(edx, eax);
        asm.and(edx, unchecked((int)0xFFFF_0000));
        asm.or(edx, 0x8E00);
        asm.mov(__dword_ptr[edi + 4], edx);
        asm.add(edi, 8);
        asm.ret();

        asm.Label(ref gatesDone);
        foreach ((byte port, byte value) in new (byte, byte)[]
        {
            (0x20, 0x11), (0xA0, 0x11), (0x21, 0x20), (0xA1, 0x28), (0x21, 0x04), (0xA1, 0x02), (0x21, 0x01), (0xA1, 0x01), (0x21, 0xFE), (0xA1, 0xFF),
        })
        {
            asm.mov(al, value);
            asm.@out(port, al);
        }

        asm.mov(al, 0x34);
        asm.@out(0x43, al);
        asm.mov(eax, __dword_ptr[PPitDivisor]);
        asm.@out(0x40, al);
        asm.mov(al, ah);
        asm.@out(0x40, al);

        asm.mov(eax, __dword_ptr[PHeartbeatTicks]);
        asm.mov(__dword_ptr[SNextBeat], eax);
        asm.mov(__dword_ptr[SPass], 1);
        asm.mov(__dword_ptr[SCorruptPage], unchecked((int)NoCorruptPage));

        // The triple-fault workload: vector 6 is not present, so #UD becomes #NP, then #DF, then a shutdown.
        Label noFault = asm.CreateLabel();
        asm.cmp(__dword_ptr[PWorkload], Workload_TripleFault);
        asm.jne(noFault);
        asm.ud2();
        asm.Label(ref noFault);
        asm.sti();
    }

    private static void EmitMainLoop(Assembler asm, Addresses known)
    {
        Label main = asm.CreateLabel();
        Label noBeat = asm.CreateLabel();
        Label halt = asm.CreateLabel();
        Label heartbeat = asm.CreateLabel();
        Label dirtyStep = asm.CreateLabel();
        Label putDecimal = asm.CreateLabel();

        asm.Label(ref main);
        asm.mov(eax, __dword_ptr[STicks]);
        asm.cmp(eax, __dword_ptr[SNextBeat]);
        asm.jb(noBeat);
        asm.call(heartbeat);
        asm.Label(ref noBeat);
        asm.cmp(__dword_ptr[PWorkload], Workload_Dirty);
        asm.jne(halt);
        asm.call(dirtyStep);
        asm.cmp(__dword_ptr[PPagesPerSecond], 0);
        asm.je(main);
        asm.Label(ref halt);
        asm.hlt();
        asm.jmp(main);

        EmitHeartbeat(asm, known, heartbeat, putDecimal);
        EmitDirtyStep(asm, dirtyStep);
        EmitPutDecimal(asm, putDecimal);
    }

    /// <summary><c>heartbeat &lt;seq&gt; ticks=&lt;n&gt; written=&lt;n&gt; ok</c> (or <c>CORRUPT page=&lt;n&gt;</c>), built in the line buffer and sent with one <c>rep outsb</c>.</summary>
    private static void EmitHeartbeat(Assembler asm, Addresses known, Label heartbeat, Label putDecimal)
    {
        Label scheduled = asm.CreateLabel();
        Label corrupt = asm.CreateLabel();
        Label send = asm.CreateLabel();

        asm.Label(ref heartbeat);
        asm.mov(eax, __dword_ptr[SNextBeat]);
        asm.add(eax, __dword_ptr[PHeartbeatTicks]);
        asm.mov(ecx, __dword_ptr[STicks]);
        asm.cmp(eax, ecx);
        asm.ja(scheduled);
        asm.mov(eax, ecx);
        asm.add(eax, __dword_ptr[PHeartbeatTicks]);
        asm.Label(ref scheduled);
        asm.mov(__dword_ptr[SNextBeat], eax);
        asm.inc(__dword_ptr[SSequence]);
        asm.cld();
        asm.mov(edi, LineBuffer);
        Copy(asm, known.Heartbeat, s_strings[0]);
        asm.mov(eax, __dword_ptr[SSequence]);
        asm.call(putDecimal);
        Copy(asm, known.Ticks, s_strings[1]);
        asm.mov(eax, __dword_ptr[STicks]);
        asm.call(putDecimal);
        Copy(asm, known.Written, s_strings[2]);
        asm.mov(eax, __dword_ptr[SWritten]);
        asm.call(putDecimal);
        asm.cmp(__dword_ptr[SCorruptPage], unchecked((int)NoCorruptPage));
        asm.jne(corrupt);
        Copy(asm, known.Ok, s_strings[3]);
        asm.jmp(send);
        asm.Label(ref corrupt);
        Copy(asm, known.Corrupt, s_strings[4]);
        asm.mov(eax, __dword_ptr[SCorruptPage]);
        asm.call(putDecimal);
        asm.mov(__byte_ptr[edi], (byte)'\n');
        asm.inc(edi);
        asm.Label(ref send);
        asm.mov(ecx, edi);
        asm.sub(ecx, LineBuffer);
        asm.mov(esi, LineBuffer);
        asm.mov(dx, Com1);
        asm.rep.outsb();
        asm.ret();
    }

    private static void Copy(Assembler asm, uint address, string text)
    {
        asm.mov(esi, address);
        asm.mov(ecx, text.Length);
        asm.rep.movsb();
    }

    /// <summary>eax → decimal digits at edi (edi advances); clobbers eax, ebx, ecx, edx.</summary>
    private static void EmitPutDecimal(Assembler asm, Label putDecimal)
    {
        Label divide = asm.CreateLabel();
        Label store = asm.CreateLabel();
        asm.Label(ref putDecimal);
        asm.mov(ebx, 10);
        asm.xor(ecx, ecx);
        asm.Label(ref divide);
        asm.xor(edx, edx);
        asm.div(ebx);
        asm.add(dl, (byte)'0');
        asm.push(edx);
        asm.inc(ecx);
        asm.test(eax, eax);
        asm.jnz(divide);
        asm.Label(ref store);
        asm.pop(eax);
        asm.stosb();
        asm.dec(ecx);
        asm.jnz(store);
        asm.ret();
    }

    /// <summary>
    /// Writes the pages the pace allows (target = ticks × pages/s ÷ Hz; all of a batch at full speed), then verifies the
    /// next few pages of the working set. Page p (absolute page number) of generation g holds p×K+g at offsets 0 and
    /// 4092 and (p×K+g) XOR 0x5A5A5A5A at 2048; a page's generation is the pass number if the write cursor passed it in
    /// this pass, else the pass before (0: never written, not checked).
    /// </summary>
    private static void EmitDirtyStep(Assembler asm, Label dirtyStep)
    {
        Label paced = asm.CreateLabel();
        Label capped = asm.CreateLabel();
        Label write = asm.CreateLabel();
        Label writePage = asm.CreateLabel();
        Label noWrap = asm.CreateLabel();
        Label verify = asm.CreateLabel();
        Label verifyLoop = asm.CreateLabel();
        Label generationKnown = asm.CreateLabel();
        Label bad = asm.CreateLabel();
        Label next = asm.CreateLabel();
        Label verifyNoWrap = asm.CreateLabel();
        Label done = asm.CreateLabel();

        asm.Label(ref dirtyStep);
        asm.mov(ecx, __dword_ptr[PPagesPerSecond]);
        asm.test(ecx, ecx);
        asm.jnz(paced);
        asm.mov(ecx, FullSpeedBatch);
        asm.jmp(write);

        asm.Label(ref paced);
        asm.mov(eax, __dword_ptr[STicks]);
        asm.mul(__dword_ptr[PPagesPerSecond]);
        asm.div(__dword_ptr[PTickHz]);
        asm.mov(ecx, eax);
        asm.sub(ecx, __dword_ptr[SPaceDone]);
        asm.jle(verify);
        asm.cmp(ecx, MaxPacedBatch);
        asm.jbe(capped);
        asm.mov(ecx, MaxPacedBatch);
        asm.sub(eax, ecx);
        asm.mov(__dword_ptr[SPaceDone], eax);
        asm.Label(ref capped);
        asm.add(__dword_ptr[SPaceDone], ecx);

        asm.Label(ref write);
        asm.add(__dword_ptr[SWritten], ecx);
        asm.Label(ref writePage);
        asm.mov(eax, __dword_ptr[SCursor]);
        asm.add(eax, __dword_ptr[PFirstPage]);
        asm.mov(ebx, eax);
        asm.shl(ebx, 12);
        asm.imul(eax, eax, unchecked((int)PatternMultiplier));
        asm.add(eax, __dword_ptr[SPass]);
        asm.mov(__dword_ptr[ebx], eax);
        asm.mov(__dword_ptr[ebx + LastWordOffset], eax);
        asm.xor(eax, unchecked((int)MiddleWordXor));
        asm.mov(__dword_ptr[ebx + MiddleWordOffset], eax);
        asm.mov(eax, __dword_ptr[SCursor]);
        asm.inc(eax);
        asm.cmp(eax, __dword_ptr[PPageCount]);
        asm.jb(noWrap);
        asm.xor(eax, eax);
        asm.inc(__dword_ptr[SPass]);
        asm.Label(ref noWrap);
        asm.mov(__dword_ptr[SCursor], eax);
        asm.dec(ecx);
        asm.jnz(writePage);

        asm.Label(ref verify);
        asm.mov(ecx, __dword_ptr[PVerifyPagesPerStep]);
        asm.Label(ref verifyLoop);
        asm.test(ecx, ecx);
        asm.jz(done);
        asm.mov(eax, __dword_ptr[SVerifyCursor]);
        asm.mov(edx, __dword_ptr[SPass]);
        asm.cmp(eax, __dword_ptr[SCursor]);
        asm.jb(generationKnown);
        asm.dec(edx);
        asm.Label(ref generationKnown);
        asm.test(edx, edx);
        asm.jz(next);
        asm.add(eax, __dword_ptr[PFirstPage]);
        asm.mov(ebx, eax);
        asm.shl(ebx, 12);
        asm.imul(esi, eax, unchecked((int)PatternMultiplier));
        asm.add(esi, edx);
        asm.cmp(__dword_ptr[ebx], esi);
        asm.jne(bad);
        asm.cmp(__dword_ptr[ebx + LastWordOffset], esi);
        asm.jne(bad);
        asm.xor(esi, unchecked((int)MiddleWordXor));
        asm.cmp(__dword_ptr[ebx + MiddleWordOffset], esi);
        asm.je(next);
        asm.Label(ref bad);
        asm.inc(__dword_ptr[SMismatches]);
        asm.cmp(__dword_ptr[SCorruptPage], unchecked((int)NoCorruptPage));
        asm.jne(next);
        asm.mov(__dword_ptr[SCorruptPage], eax);
        asm.Label(ref next);
        asm.mov(eax, __dword_ptr[SVerifyCursor]);
        asm.inc(eax);
        asm.cmp(eax, __dword_ptr[PPageCount]);
        asm.jb(verifyNoWrap);
        asm.xor(eax, eax);
        asm.Label(ref verifyNoWrap);
        asm.mov(__dword_ptr[SVerifyCursor], eax);
        asm.dec(ecx);
        asm.jmp(verifyLoop);
        asm.Label(ref done);
        asm.ret();
    }

    private sealed class ImageWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
