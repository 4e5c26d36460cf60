namespace KernelZones.Samples;

/// <summary>The example kernel zone: solaris-kz, one anet, NFS storage, the given vCPUs and memory.</summary>
internal static class ExampleZone
{
    /// <summary>Its <c>zonecfg export</c> text, the file <c>zonecfg -f</c> reads; <paramref name="memory"/> as zonecfg spells it (e.g. 64M, 4G).</summary>
    public static string Export(string memory, int cpus) => $$"""
        create -b
        set brand=solaris-kz
        add anet
        set id=0
        end
        add device
        set storage=nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}
        set id=0
        set bootpri=0
        end
        add virtual-cpu
        set ncpus={{cpus}}
        end
        add capped-memory
        set physical={{memory}}
        end

        """;
}
