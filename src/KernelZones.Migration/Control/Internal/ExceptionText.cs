namespace KernelZones.Migration.Control.Internal;

/// <summary>An exception's message an operator can act on: TLS and crypto errors put the cause in an inner exception.</summary>
internal static class ExceptionText
{
    private const string SeeInner = "see inner exception";

    /// <summary>The message, with the innermost cause's message when the message only points at it.</summary>
    public static string WithCause(Exception e)
    {
        if (!e.Message.Contains(SeeInner, StringComparison.OrdinalIgnoreCase) || e.InnerException is null)
        {
            return e.Message;
        }

        var cause = e.InnerException;
        while (cause.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        string own = e.Message[..e.Message.IndexOf(SeeInner, StringComparison.OrdinalIgnoreCase)].TrimEnd(' ', ',', '.', ';');
        return $"{own} ({cause.Message.TrimEnd('.')})";
    }
}
