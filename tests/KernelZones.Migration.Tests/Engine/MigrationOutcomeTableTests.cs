using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Engine;

public sealed class MigrationOutcomeTableTests
{
    [Fact]
    public void Finished_outcomes_are_forgotten_oldest_first_beyond_the_capacity()
    {
        var table = new MigrationOutcomeTable(capacity: 3);
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            table[id] = MigrationOutcomeState.InProgress;
            table[id] = MigrationOutcomeState.Aborted;
        }

        Assert.Equal([MigrationOutcomeState.Unknown, MigrationOutcomeState.Unknown, MigrationOutcomeState.Aborted, MigrationOutcomeState.Aborted, MigrationOutcomeState.Aborted], ids.Select(id => table[id]));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Migrations_under_way_are_never_forgotten()
    {
        var table = new MigrationOutcomeTable(capacity: 2);
        var running = Guid.NewGuid();
        table[running] = MigrationOutcomeState.InProgress;
        for (int i = 0; i < 10; i++)
        {
            table[Guid.NewGuid()] = MigrationOutcomeState.Resumed;
        }

        Assert.Equal(MigrationOutcomeState.InProgress, table[running]);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void A_later_state_of_a_finished_migration_keeps_its_place_in_line()
    {
        var table = new MigrationOutcomeTable(capacity: 2);
        Guid first = Guid.NewGuid(), second = Guid.NewGuid(), third = Guid.NewGuid();
        table[first] = MigrationOutcomeState.Committed;
        table[second] = MigrationOutcomeState.Aborted;
        table[first] = MigrationOutcomeState.Resumed;
        Assert.Equal(MigrationOutcomeState.Resumed, table[first]);
        Assert.Equal(MigrationOutcomeState.Aborted, table[second]);

        table[third] = MigrationOutcomeState.Aborted;

        Assert.Equal(MigrationOutcomeState.Unknown, table[first]);
        Assert.Equal(MigrationOutcomeState.Aborted, table[second]);
    }

    [Fact]
    public void The_default_table_stays_at_1024_finished_outcomes()
    {
        var table = new MigrationOutcomeTable();
        for (int i = 0; i < 5000; i++)
        {
            table[Guid.NewGuid()] = MigrationOutcomeState.Aborted;
        }

        Assert.Equal(MigrationOutcomeTable.DefaultCapacity, table.Count);
        Assert.Equal(1024, MigrationOutcomeTable.DefaultCapacity);
    }
}
