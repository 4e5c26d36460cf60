using KernelZones.Migration.Control;
using KernelZones.Migration.Engine;

namespace KernelZones.Migration.Tests.Engine;

public sealed class IncomingMigrationTableTests
{
    [Fact]
    public void Finished_outcomes_are_forgotten_oldest_first_beyond_the_capacity()
    {
        var table = new IncomingMigrationTable(capacity: 3);
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            table[id] = IncomingMigrationState.InProgress;
            table[id] = IncomingMigrationState.Aborted;
        }

        Assert.Equal([IncomingMigrationState.Unknown, IncomingMigrationState.Unknown, IncomingMigrationState.Aborted, IncomingMigrationState.Aborted, IncomingMigrationState.Aborted], ids.Select(id => table[id]));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Migrations_under_way_are_never_forgotten()
    {
        var table = new IncomingMigrationTable(capacity: 2);
        var running = Guid.NewGuid();
        table[running] = IncomingMigrationState.InProgress;
        for (int i = 0; i < 10; i++)
        {
            table[Guid.NewGuid()] = IncomingMigrationState.Resumed;
        }

        Assert.Equal(IncomingMigrationState.InProgress, table[running]);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void A_later_state_of_a_finished_migration_keeps_its_place_in_line()
    {
        var table = new IncomingMigrationTable(capacity: 2);
        Guid first = Guid.NewGuid(), second = Guid.NewGuid(), third = Guid.NewGuid();
        table[first] = IncomingMigrationState.Committed;
        table[second] = IncomingMigrationState.Aborted;
        table[first] = IncomingMigrationState.Resumed;
        Assert.Equal(IncomingMigrationState.Resumed, table[first]);
        Assert.Equal(IncomingMigrationState.Aborted, table[second]);

        table[third] = IncomingMigrationState.Aborted;

        Assert.Equal(IncomingMigrationState.Unknown, table[first]);
        Assert.Equal(IncomingMigrationState.Aborted, table[second]);
    }

    [Fact]
    public void The_default_table_stays_at_1024_finished_outcomes()
    {
        var table = new IncomingMigrationTable();
        for (int i = 0; i < 5000; i++)
        {
            table[Guid.NewGuid()] = IncomingMigrationState.Aborted;
        }

        Assert.Equal(IncomingMigrationTable.DefaultCapacity, table.Count);
        Assert.Equal(1024, IncomingMigrationTable.DefaultCapacity);
    }
}
