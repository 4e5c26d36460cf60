using System.Text;

namespace KernelZones.Migration.Configuration;

/// <summary>Checks and expands <c>*.template</c> values: <c>%{zonename}</c>, <c>%{id}</c>, <c>%{global-rootzpool}</c>, <c>%%</c>.</summary>
internal static class PropertyTemplate
{
    public const string Expected = "only the tokens %{zonename}, %{id}, %{global-rootzpool} and %% where the property supports them";

    /// <summary>Returns why the template is invalid, or <see langword="null"/> when it is valid.</summary>
    public static string? FindProblem(string value, TemplateTokens allowed)
    {
        for (int i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%', i))
        {
            if (i + 1 < value.Length && value[i + 1] == '%')
            {
                i += 2;
                continue;
            }

            int close = i + 1 < value.Length && value[i + 1] == '{' ? value.IndexOf('}', i + 2) : -1;
            if (close < 0)
            {
                return $"'%' at position {i + 1} is not followed by '%' or a '{{token}}'";
            }

            string token = value[(i + 2)..close];
            TemplateTokens kind = TokenOf(token);
            if (kind == TemplateTokens.None)
            {
                return $"unknown template token '%{{{token}}}'";
            }

            if ((allowed & kind) == 0)
            {
                return $"template token '%{{{token}}}' is not supported by this property";
            }

            i = close + 1;
        }

        return null;
    }

    public static bool Uses(string value, TemplateTokens token) => token switch
    {
        TemplateTokens.Id => value.Contains("%{id}", StringComparison.Ordinal),
        TemplateTokens.ZoneName => value.Contains("%{zonename}", StringComparison.Ordinal),
        _ => value.Contains("%{global-rootzpool}", StringComparison.Ordinal),
    };

    /// <summary>Expands a template that <see cref="FindProblem"/> accepted.</summary>
    public static string Expand(string value, string zoneName, int? id, string globalRootZpool)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 32);
        int start = 0;
        for (int i = value.IndexOf('%'); i >= 0; i = value.IndexOf('%', start))
        {
            builder.Append(value, start, i - start);
            if (value[i + 1] == '%')
            {
                builder.Append('%');
                start = i + 2;
                continue;
            }

            int close = value.IndexOf('}', i + 2);
            builder.Append(TokenOf(value[(i + 2)..close]) switch
            {
                TemplateTokens.ZoneName => zoneName,
                TemplateTokens.Id => id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                _ => globalRootZpool,
            });
            start = close + 1;
        }

        return builder.Append(value, start, value.Length - start).ToString();
    }

    private static TemplateTokens TokenOf(string token) => token switch
    {
        "zonename" => TemplateTokens.ZoneName,
        "id" => TemplateTokens.Id,
        "global-rootzpool" => TemplateTokens.GlobalRootZpool,
        _ => TemplateTokens.None,
    };
}
