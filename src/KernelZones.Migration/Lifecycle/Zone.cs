using KernelZones.Migration.Configuration;

namespace KernelZones.Migration.Lifecycle;

/// <summary>
/// A zone on a <see cref="ZoneHost"/>: its configuration, state, auxiliary states and zone id, changed only by
/// the legal operations. Thread-safe: each operation is atomic; <see cref="StateChanged"/> is raised after the
/// change, outside the zone's lock, on the thread that made the change.
/// </summary>
public sealed class Zone
{
    private readonly Lock _gate = new();
    private readonly Func<int> _allocateId;
    private ZoneConfiguration _configuration;
    private ZoneStatus _status = new(ZoneState.Configured, ZoneAuxiliaryState.None, null);
    private long _sequence;
    private bool _deleted;

    internal Zone(ZoneConfiguration configuration, Func<int> allocateId, long creationOrder)
    {
        _configuration = configuration;
        _allocateId = allocateId;
        CreationOrder = creationOrder;
        Name = configuration.ZoneName;
    }

    /// <summary>Raised after every state change (including configuration changes and deletion).</summary>
    public event EventHandler<ZoneStateChangedEventArgs>? StateChanged;

    /// <summary>The zone name.</summary>
    public string Name { get; }

    /// <summary>The zone's UUID (shown by <c>zoneadm list -p</c>).</summary>
    public Guid Uuid { get; } = Guid.NewGuid();

    /// <summary>The current configuration.</summary>
    public ZoneConfiguration Configuration
    {
        get
        {
            lock (_gate)
            {
                return _configuration;
            }
        }
    }

    /// <summary>A consistent snapshot of state, auxiliary states and zone id.</summary>
    public ZoneStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>The current state.</summary>
    public ZoneState State => Status.State;

    /// <summary>The current auxiliary states.</summary>
    public ZoneAuxiliaryState AuxiliaryState => Status.AuxiliaryState;

    /// <summary>Whether the zone was deleted (<c>zonecfg delete</c>); every operation on it then fails.</summary>
    public bool IsDeleted
    {
        get
        {
            lock (_gate)
            {
                return _deleted;
            }
        }
    }

    internal long CreationOrder { get; }

    /// <summary>configured → installed.</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Install() => Apply(ZoneOperation.Install);

    /// <summary>installed, incomplete or unavailable → configured.</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Uninstall() => Apply(ZoneOperation.Uninstall);

    /// <summary>configured or unavailable → installed (a suspended image stays suspended).</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Attach() => Apply(ZoneOperation.Attach);

    /// <summary>installed → configured (detached).</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Detach() => Apply(ZoneOperation.Detach);

    /// <summary>installed → ready (a zone id is assigned).</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Ready() => Apply(ZoneOperation.Ready);

    /// <summary>installed or ready → running; a suspended zone resumes.</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void Boot() => Apply(ZoneOperation.Boot);

    /// <summary>Migration destination: installed → running + migrating-in.</summary>
    /// <exception cref="ZoneStateException">Not installed, or suspended.</exception>
    public void BootMigratingIn() => Apply(ZoneOperation.BootMigratingIn);

    /// <summary>Migration destination, after the zone resumed: running + migrating-in → running.</summary>
    /// <exception cref="ZoneStateException">Not running in migrating-in mode.</exception>
    public void CompleteMigrationIn() => Apply(ZoneOperation.CompleteMigrationIn);

    /// <summary>Migration source: running → running + migrating-out.</summary>
    /// <exception cref="ZoneStateException">Not running, or already migrating, debugging or panicked.</exception>
    public void BeginMigrationOut() => Apply(ZoneOperation.BeginMigrationOut);

    /// <summary>Migration source rollback: running + migrating-out → running.</summary>
    /// <exception cref="ZoneStateException">Not migrating out.</exception>
    public void EndMigrationOut() => Apply(ZoneOperation.EndMigrationOut);

    /// <summary>ready or running → installed; clears migrating-in/-out, debugging and panicked.</summary>
    /// <exception cref="ZoneStateException">Not ready or running.</exception>
    public void Halt() => Apply(ZoneOperation.Halt);

    /// <summary>running → installed + suspended; needs a <c>suspend</c> resource.</summary>
    /// <exception cref="ZoneStateException">Not running, migrating, or no suspend resource.</exception>
    public void Suspend() => Apply(ZoneOperation.Suspend);

    /// <summary>installed or unavailable → incomplete (<c>zoneadm mark incomplete</c>).</summary>
    /// <exception cref="ZoneStateException">Not legal in the current state.</exception>
    public void MarkIncomplete() => Apply(ZoneOperation.MarkIncomplete);

    /// <summary>installed → unavailable (<c>zoneadm mark unavailable</c>).</summary>
    /// <exception cref="ZoneStateException">Not installed.</exception>
    public void MarkUnavailable() => Apply(ZoneOperation.MarkUnavailable);

    /// <summary>The guest panicked: running → running + panicked.</summary>
    /// <exception cref="ZoneStateException">Not running.</exception>
    public void ReportPanic() => Apply(ZoneOperation.Panic);

    /// <summary>
    /// Replaces the configuration (zonecfg commit). The zone name cannot change, and the brand only while configured.
    /// </summary>
    /// <exception cref="ZoneStateException">The name differs, the brand changes after install, or the zone is deleted.</exception>
    public void UpdateConfiguration(ZoneConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Apply(ZoneOperation.Reconfigure, configuration);
    }

    internal void Delete() => Apply(ZoneOperation.Delete);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Status}";

    private void Apply(ZoneOperation operation, ZoneConfiguration? configuration = null)
    {
        ZoneStateChangedEventArgs args;
        lock (_gate)
        {
            if (_deleted)
            {
                throw new ZoneStateException(Name, null, ZoneAuxiliaryState.None, operation, "No such zone configured");
            }

            ZoneStatus previous = _status;
            (ZoneState state, ZoneAuxiliaryState aux) = operation == ZoneOperation.Reconfigure
                ? CheckReconfigure(configuration!)
                : ZoneTransitions.Next(Name, operation, previous, _configuration.GetResources("suspend").Any());
            bool active = state is ZoneState.Ready or ZoneState.Running;
            _status = new ZoneStatus(state, aux, active ? previous.Id ?? _allocateId() : null);
            _configuration = configuration ?? _configuration;
            _deleted = operation == ZoneOperation.Delete;
            args = new ZoneStateChangedEventArgs(this, operation, previous, _status, ++_sequence);
        }

        StateChanged?.Invoke(this, args);
    }

    private (ZoneState, ZoneAuxiliaryState) CheckReconfigure(ZoneConfiguration configuration)
    {
        if (configuration.ZoneName != Name)
        {
            throw new ZoneStateException(Name, _status.State, _status.AuxiliaryState, ZoneOperation.Reconfigure,
                $"configuration is for zone '{configuration.ZoneName}'; a zone cannot be renamed here.");
        }

        if (configuration.Brand != _configuration.Brand && _status.State != ZoneState.Configured)
        {
            throw new ZoneStateException(Name, _status.State, _status.AuxiliaryState, ZoneOperation.Reconfigure,
                $"brand cannot be changed once the zone is {ZoneStatus.Format(_status.State)}.");
        }

        return (_status.State, _status.AuxiliaryState);
    }
}
