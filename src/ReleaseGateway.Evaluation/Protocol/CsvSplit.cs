using System.Text;

namespace ReleaseGateway.Evaluation.Protocol;

/// <summary>Row counts written by <see cref="CsvSplit.Split"/>.</summary>
/// <param name="Train">Records written to the training file.</param>
/// <param name="Holdout">Records written to the holdout file.</param>
public sealed record CsvSplitResult(int Train, int Holdout);

/// <summary>
/// Splits a CSV file into training and holdout files by <see cref="HoldoutSplit"/>, copying each record's
/// text unchanged (quoted fields, embedded line breaks and all) so that the split never alters a value.
/// Records are RFC 4180: a line break inside double quotes belongs to the field.
/// </summary>
public static class CsvSplit
{
    /// <summary>Splits <paramref name="input"/>; both outputs start with the input's header line.</summary>
    /// <exception cref="FormatException">The file has no header, or a quote is left open at the end.</exception>
    public static CsvSplitResult Split(TextReader input, TextWriter train, TextWriter holdout, double holdoutFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        var records = Records(input.ReadToEnd());
        if (records.Count == 0)
        {
            throw new FormatException("The CSV file is empty: a header line is required.");
        }

        var split = HoldoutSplit.Split(records.Count - 1, holdoutFraction, seed);
        var isHoldout = new bool[records.Count - 1];
        foreach (var r in split.Holdout)
        {
            isHoldout[r] = true;
        }

        train.Write(records[0]);
        train.Write('\n');
        holdout.Write(records[0]);
        holdout.Write('\n');
        for (var r = 0; r < isHoldout.Length; r++)
        {
            var writer = isHoldout[r] ? holdout : train;
            writer.Write(records[r + 1]);
            writer.Write('\n');
        }

        return new CsvSplitResult(split.Train.Length, split.Holdout.Length);
    }

    /// <summary>The raw text of each record (without its line ending); blank lines between records are skipped.</summary>
    public static IReadOnlyList<string> Records(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (!quoted && (c == '\n' || c == '\r'))
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                if (current.Length > 0)
                {
                    records.Add(current.ToString());
                }

                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (quoted)
        {
            throw new FormatException("A quoted field is not closed at the end of the file.");
        }

        if (current.Length > 0)
        {
            records.Add(current.ToString());
        }

        return records;
    }
}
