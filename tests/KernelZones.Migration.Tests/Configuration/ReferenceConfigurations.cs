namespace KernelZones.Migration.Tests.Configuration;

/// <summary>Configurations as Solaris 11.3 prints them for kernel zones.</summary>
internal static class ReferenceConfigurations
{
    /// <summary>Example D, the Oracle Puppet provider's export, verbatim (including the trailing space after the last 'end').</summary>
    public const string PuppetExport = """
        create -b
        set brand=solaris-kz
        set autoboot=true
        set autoshutdown=shutdown
        set bootargs="kz=d -k -m verbose"
        add anet
        set lower-link=auto
        set link-protection=mac-nospoof
        set mac-address=auto
        set id=0
        end
        add device
        set storage=dev:/dev/zvol/dsk/%{global-rootzpool}/VARSHARE/zones/%{zonename}/disk%{id}
        set bootpri=0
        set id=0
        end
        add capped-memory
        set physical=4G
        end
        add virtual-cpu
        set ncpus=4
        end
        add suspend
        set path=/system/zones/%{zonename}/suspend
        end 
        """;

    /// <summary>
    /// Solaris's interactive <c>info</c> of mig1, with the tab indentation and the resource headers the page extractor
    /// flattened restored (virtual-cpu, capped-memory, keysource); blank lines kept as Solaris prints them.
    /// </summary>
    public const string Mig1Info = "zonename: mig1\n\nbrand: solaris-kz\n\nanet 0:\n\ndevice 0:\n\n\tmatch not specified\n\n"
        + "\tstorage.template: nfs://zoss:zoss@kzx-05/zones/zoss/%{zonename}.disk%{id}\n\n"
        + "\tstorage: nfs://zoss:zoss@kzx-05/zones/zoss/mig1.disk0\n\n\tid: 0\n\n\tbootpri: 0\n\n"
        + "virtual-cpu:\n\n\tncpus: 4\n\ncapped-memory:\n\n\tphysical: 4G\n\nkeysource:\n\n\traw redacted\n";

    /// <summary>The same zone as the command file the source would send (with a key).</summary>
    public const string Mig1Export = """
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
        set ncpus=4
        end
        add capped-memory
        set physical=4G
        end
        add keysource
        set raw=00112233445566778899aabbccddeeff
        end

        """;

    /// <summary>Example E completed with the memlzr settings it shows (the elided lines left out).</summary>
    public const string MemlzrExport = """
        create -b
        set brand=solaris-kz
        set host-compatible=memlzr
        set cpu-arch=migration-class1
        set hostid=0x6f038b0b
        add capped-memory
        set physical=12G
        set pagesize-policy=fixed
        set pagesize=256M
        end

        """;
}
