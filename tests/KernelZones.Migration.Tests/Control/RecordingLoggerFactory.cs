using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KernelZones.Migration.Tests.Control;

/// <summary>A logger factory that keeps every event as (id, level, message), for tests of what the library logs.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(int Id, LogLevel Level, string Message)> _events = new();

    public IReadOnlyList<(int Id, LogLevel Level, string Message)> Events => [.. _events];

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

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
}
