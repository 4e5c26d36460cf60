using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Tests.Control;

/// <summary>One event the library logged: its id, level, formatted message and structured fields.</summary>
internal sealed record LoggedEvent(int Id, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>A logger factory that keeps every event, for tests of what the library logs.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<LoggedEvent> _events = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _firstById = new();

    public IReadOnlyList<LoggedEvent> Events => [.. _events];

    /// <summary>Completes when the first event with <paramref name="id"/> has been logged.</summary>
    public Task FirstEvent(int id) => Arrival(id).Task;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = state is IReadOnlyList<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
        _events.Enqueue(new LoggedEvent(eventId.Id, logLevel, formatter(state, exception), fields));
        Arrival(eventId.Id).TrySetResult();
    }

    private TaskCompletionSource Arrival(int id) => _firstById.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
