using System.Globalization;
using System.Text;
using FluentValidation;

namespace ReleaseGateway.Requests.Validation;

/// <summary>
/// Text people type (titles, purposes, reasons, names, descriptions) must be plain text: no control characters (C0, DEL,
/// C1; NUL included) and no bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069), which
/// make a stored value display differently from what it is (Trojan Source, Boucher and Anderson 2021, CVE-2021-42574).
/// Multi-line fields may hold line breaks and tabs. One rule for every validator of text input (issue 15, row 12).
/// </summary>
public static class PlainText
{
    /// <summary>The first forbidden character of <paramref name="text"/> and its position, or null when the text is plain.</summary>
    public static (Rune Character, int Index)? FirstForbidden(string? text, bool multiLine)
    {
        if (text is null) return null;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsForbidden(rune, multiLine)) return (rune, index);
            index += rune.Utf16SequenceLength;
        }
        return null;
    }

    private static bool IsForbidden(Rune rune, bool multiLine)
    {
        if (multiLine && rune.Value is '\n' or '\r' or '\t') return false;
        return Rune.GetUnicodeCategory(rune) == UnicodeCategory.Control
            || rune.Value is >= 0x202A and <= 0x202E
            || rune.Value is >= 0x2066 and <= 0x2069;
    }

    /// <summary>Refuses control and bidi-override characters, naming the character and where it is.</summary>
    /// <param name="multiLine">True for free text (purposes, reasons, descriptions): line breaks and tabs are allowed.</param>
    public static IRuleBuilderOptions<T, TText> IsPlainText<T, TText>(this IRuleBuilder<T, TText> rule, bool multiLine = false) =>
        rule.Must(text => FirstForbidden(text as string, multiLine) is null)
            .WithMessage((_, text) => FirstForbidden(text as string, multiLine) is var (c, i) ? Explain("{PropertyName}", c, i, multiLine) : "");

    /// <summary>The refusal's message: which character, where, and what is not allowed.</summary>
    public static string Explain(string field, Rune character, int index, bool multiLine) =>
        $"{field} contains the character U+{character.Value:X4} at position {index + 1}; control characters" +
        (multiLine ? " (other than line breaks and tabs)" : "") + " and bidirectional override or isolate characters are not allowed.";
}
