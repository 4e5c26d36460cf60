using KernelZones.Samples;

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

    /// <summary>The same zone as the command file the source would send (with a key): the samples' example zone with 4 vCPUs and 4G.</summary>
    public static readonly string Mig1Export = ExampleZone.Export("4G", cpus: 4) + """
        add keysource
        set raw=00112233445566778899aabbccddeeff
        end

        """;

    /// <summary>
    /// Solaris 11.3's <c>zonecfg -z kzone1 info</c> of a kernel zone created from the SYSsolaris-kz template, as an
    /// Oracle Solaris lab prints it, with the tab indentation and the space after an empty global's colon that the
    /// page lost restored (zonecfg prints <c>"%s: %s\n"</c> and <c>"\t%s: %s\n"</c>).
    /// </summary>
    public const string KernelZoneLabInfo = "zonename: kzone1\nbrand: solaris-kz\nautoboot: false\nautoshutdown: shutdown\nbootargs: \npool: \n"
        + "scheduling-class: \nhostid: 0x2e7d2173\ntenant: \n"
        + "anet:\n\tlower-link: auto\n\tallowed-address not specified\n\tconfigure-allowed-address: true\n\tdefrouter not specified\n"
        + "\tallowed-dhcp-cids not specified\n\tlink-protection: mac-nospoof\n\tmac-address: auto\n\tmac-prefix not specified\n"
        + "\tmac-slot not specified\n\tvlan-id not specified\n\tpriority not specified\n\trxrings not specified\n\ttxrings not specified\n"
        + "\tmtu not specified\n\tmaxbw not specified\n\tbwshare not specified\n\trxfanout not specified\n\tvsi-typeid not specified\n"
        + "\tvsi-vers not specified\n\tvsi-mgrid not specified\n\tetsbw-lcl not specified\n\tcos not specified\n\tevs not specified\n"
        + "\tvport not specified\n\tiov: off\n\tlro: auto\n\tid: 0\n"
        + "device:\n\tmatch not specified\n\tstorage: dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kzone1/disk0\n\tid: 0\n\tbootpri: 0\n"
        + "capped-memory:\n\tphysical: 4G\n";

    /// <summary>The zone of <see cref="KernelZoneLabInfo"/> as a command file.</summary>
    public const string KernelZoneLabExport = """
        create -b
        set brand=solaris-kz
        set hostid=0x2e7d2173
        add anet
        set lower-link=auto
        set link-protection=mac-nospoof
        set mac-address=auto
        set id=0
        end
        add device
        set storage=dev:/dev/zvol/dsk/rpool/VARSHARE/zones/kzone1/disk0
        set id=0
        set bootpri=0
        end
        add capped-memory
        set physical=4G
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
