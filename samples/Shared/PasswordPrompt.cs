using System.Text;

namespace KernelZones.Samples;

/// <summary>Reads a password: from the terminal without echo, or as one line of redirected standard input.</summary>
internal static class PasswordPrompt
{
    public static string Read(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine() is { Length: > 0 } line ? line : throw new UsageException("no password on standard input");
        }

        Console.Error.Write(prompt);
        var password = new StringBuilder();
        for (ConsoleKeyInfo key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return password.Length > 0 ? password.ToString() : throw new UsageException("the password is empty");
    }
}
