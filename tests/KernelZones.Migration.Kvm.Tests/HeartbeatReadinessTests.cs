using KernelZones.Migration.Kvm.Program;

namespace KernelZones.Migration.Kvm.Tests;

/// <summary>The sign of life the destination waits for before its verdict: a heartbeat that follows a timer interrupt delivered after the resume.</summary>
public sealed class HeartbeatReadinessTests
{
    [Fact]
    public void AHeartbeatAlreadyDueAtTheResume_DoesNotCount_TheNextTickedOneDoes()
    {
        var readiness = new HeartbeatReadiness();
        readiness.OnResuming(partialLine: false, ticks: 700);
        Task running = readiness.WaitAsync(CancellationToken.None);

        // Due at the suspension, printed at once on the resume, before any timer interrupt here.
        readiness.OnLine("heartbeat 70 ticks=700 written=12 ok");
        Assert.False(running.IsCompleted);

        readiness.OnLine("heartbeat 71 ticks=701 written=12 ok");
        Assert.True(running.IsCompletedSuccessfully);
    }

    [Fact]
    public void ACorruptHeartbeat_FailsTheWait_WhateverItsTicks()
    {
        var readiness = new HeartbeatReadiness();
        readiness.OnResuming(partialLine: false, ticks: 700);
        Task running = readiness.WaitAsync(CancellationToken.None);

        readiness.OnLine("heartbeat 70 ticks=700 written=12 CORRUPT page=9");

        Assert.True(running.IsFaulted);
        Assert.IsType<InvalidDataException>(running.Exception!.InnerException);
    }

    [Fact]
    public void ALineTheUartHadBegunBeforeTheResume_DoesNotCount()
    {
        var readiness = new HeartbeatReadiness();
        readiness.OnResuming(partialLine: true, ticks: 5);
        Task running = readiness.WaitAsync(CancellationToken.None);

        readiness.OnLine("heartbeat 1 ticks=9 written=0 ok");
        Assert.False(running.IsCompleted);

        readiness.OnLine("heartbeat 2 ticks=19 written=0 ok");
        Assert.True(running.IsCompletedSuccessfully);
    }
}
