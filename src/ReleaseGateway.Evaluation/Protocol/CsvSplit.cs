using System.Text;
using ReleaseGateway.Privacy.Randomness;
using ReleaseGateway.Privacy.Sampling;

namespace ReleaseGateway.Evaluation.Protocol;

/// <summary>Row counts written by <see cref="CsvSplit.Split"/>.</summary>
/// <param name="Train">Records written to the training file.</param>
/// <param name="Holdout">Records written to the holdout file.</param>
public sealed record CsvSplitResult(int Train, int Holdout);

/// <summary>
/// Splits a CSV file into training and holdout files by the Poisson split of <see cref="PoissonSplit"/>: each record, or
/// each person when a person-key column is named, goes to the holdout by its own keyed coin. Each record's text is copied
/// unchanged (quoted fields, embedded line breaks and all) so that the split never alters a value. Records are RFC 4180:
/// a line break inside double quotes belongs to the field.
/// </summary>
public static class CsvSplit
{
    /// <summary>Splits <paramref name="input"/>; both outputs start with the input's header line.</summary>
    /// <param name="input">The CSV text.</param>
    /// <param name="train">Receives the header and the training records.</param>
    /// <param name="holdout">Receives the header and the holdout records.</param>
    /// <param name="holdoutFraction">Each unit's probability of landing in the holdout, in [0, 1).</param>
    /// <param name="coin">A secret coin (private split) or <see cref="KeyedCoin.FromPublicSeed"/> (reproducible, not private).</param>
    /// <param name="personKey">A column naming each record's person: a person's records stay on one side; null for records.</param>
    /// <exception cref="FormatException">The file has no header, a quote is left open at the end, or the person-key column is missing.</exception>
    public static CsvSplitResult Split(TextReader input, TextWriter train, TextWriter holdout, double holdoutFraction, KeyedCoin coin, string? personKey = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(coin);
        var records = Records(input.ReadToEnd());
        if (records.Count == 0)
        {
            throw new FormatException("The CSV file is empty: a header line is required.");
        }

        SplitRows split;
        if (personKey is null)
        {
            split = PoissonSplit.Split(records.Count - 1, holdoutFraction, coin);
        }
        else
        {
            var column = Fields(records[0]).IndexOf(personKey);
            if (column < 0)
            {
                throw new FormatException($"The header has no column '{personKey}'.");
            }

            // Dense person ids by first appearance, as the gateway reads a person key (CsvTableReader.ReadWithPersons).
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var personIds = records.Skip(1).Select(r => Fields(r) is var f && column < f.Count
                ? ids.TryGetValue(f[column], out var id) ? id : ids[f[column]] = ids.Count
                : throw new FormatException($"A record has no '{personKey}' field.")).ToArray();
            split = PoissonSplit.Split(personIds.Length, holdoutFraction, coin, personIds);
        }

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

    /// <summary>The unquoted fields of one record (RFC 4180).</summary>
    public static List<string> Fields(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted && c == '"' && i + 1 < record.Length && record[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
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
