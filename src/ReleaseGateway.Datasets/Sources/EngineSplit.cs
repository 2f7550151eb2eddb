using System.Globalization;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Datasets.Schema;
using ReleaseGateway.Privacy.Randomness;

namespace ReleaseGateway.Datasets.Sources;

/// <summary>
/// The training and holdout parts of an engine-backed source as the uploaded-file path forms them (ADR 0023), but
/// evaluated in the engine: each person keeps at most k rows chosen by the attempt's secret <see cref="RandomPurpose.Bounding"/>
/// coins, and each unit (person, else row) goes to the holdout by its <see cref="RandomPurpose.Split"/> coin. A coin is
/// the first 53 bits of HMAC-SHA256 under the purpose's key of the unit's own text (its person key, its row key, or for a
/// row without one its coded content), computed by the engine from its SHA-256 with the key pads as bound parameters
/// (<see cref="KeyedCoin.HmacPads"/>). Counts come back as marginals; rows only as the evaluation's sample.
/// </summary>
/// <remarks>
/// Privacy is the uploaded path's: a unit's coins depend only on the key and that unit, so for any fixed key neighbouring
/// sources give training sets that are equal or neighbours (after bounding, differing in at most k rows of one person);
/// the synthesizer's ρ/k² per row then composes to ρ per person (ADR 0024). When the unit of a row is its content,
/// identical rows share their coin and land on the same side: adding or removing one row still changes the training set
/// by at most that row.
/// </remarks>
public sealed class EngineSplit
{
    private readonly EngineTable table;
    private readonly DatasetSchema schema;
    private readonly int maxRowsPerPerson;
    private readonly double holdoutFraction;
    private readonly string[] codes;
    private string? materialized;
    private readonly KeyedCoin bounding, split, sample;

    /// <summary>
    /// The split of <paramref name="table"/> over the synthesis columns of <paramref name="schema"/> (its person key, when it
    /// has one, groups rows), bounded to <paramref name="maxRowsPerPerson"/> rows per person, holdout probability
    /// <paramref name="holdoutFraction"/>, coins of <paramref name="streams"/>.
    /// </summary>
    public EngineSplit(EngineTable table, DatasetSchema schema, int maxRowsPerPerson, double holdoutFraction, SecretStreams streams)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerPerson, 1);
        if (!(holdoutFraction >= 0 && holdoutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(holdoutFraction), holdoutFraction, "must be in [0, 1)");
        this.table = table;
        this.schema = schema;
        this.maxRowsPerPerson = maxRowsPerPerson;
        this.holdoutFraction = holdoutFraction;
        ColumnNames = schema.SynthesisColumns.Select(c => c.Name).ToArray();
        DomainSizes = schema.SynthesisColumns.Select(c => c.DomainSize).ToArray();
        bounding = streams.Coin(RandomPurpose.Bounding);
        split = streams.Coin(RandomPurpose.Split);
        sample = streams.Coin(RandomPurpose.Sample);
        codes = Enumerable.Range(0, ColumnNames.Count).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Column names, in order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Number of codes of each column (public: from the schema).</summary>
    public IReadOnlyList<int> DomainSizes { get; }

    /// <summary>Exact counts of the training part over <paramref name="columns"/>, row-major (last column fastest). Private.</summary>
    public long[] Count(IReadOnlyList<int> columns) => CountMany([columns])[0];

    /// <summary>
    /// Exact training counts of several attribute sets in one pass over the source (<c>GROUP BY GROUPING SETS</c>), so the
    /// keyed coins are evaluated once per row however many marginals are asked. Private.
    /// </summary>
    public IReadOnlyList<long[]> CountMany(IReadOnlyList<IReadOnlyList<int>> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        foreach (var set in sets)
        {
            if (set.Count == 0 || set.Distinct().Count() != set.Count || set.Any(c => (uint)c >= (uint)codes.Length))
                throw new ArgumentException("each set must hold distinct valid column indices", nameof(sets));
        }

        var results = sets.Select(set => new long[set.Aggregate(1L, (size, c) => checked(size * DomainSizes[c]))]).ToArray();
        if (sets.Count == 0) return results;
        var parameters = new SqlParameters();
        var (sided, relation) = Counting(parameters);
        if (sets.Count == 1)
        {
            var set = sets[0];
            string columns = string.Join(", ", set.Select(c => codes[c]));
            table.Query($"{sided} SELECT {columns}, count(*) FROM {relation} WHERE NOT holdout GROUP BY {columns}", parameters,
                reader => results[0][Cell(set, i => reader.GetValue(i))] += Convert.ToInt64(reader.GetValue(set.Count), CultureInfo.InvariantCulture));
            return results;
        }

        if (materialized is not null || codes.Length > 31)
        {
            // DuckDB counts each set over the materialized split (a scan of two compressed columns; one hash table per
            // grouping set would not fit its memory limit); GROUPING() takes at most 31 arguments on PostgreSQL.
            return sets.Select(Count).ToArray();
        }

        var used = sets.SelectMany(s => s).Distinct().Order().ToArray();
        var index = new Dictionary<long, int>();
        for (int i = 0; i < sets.Count; i++)
        {
            long mask = 0;
            foreach (int u in used.Where(u => !sets[i].Contains(u))) mask |= 1L << (used.Length - 1 - Array.IndexOf(used, u));
            index.TryAdd(mask, i);
        }

        string all = string.Join(", ", used.Select(c => codes[c]));
        string groupingSets = string.Join(", ", sets.Select(s => "(" + string.Join(", ", s.Select(c => codes[c])) + ")"));
        table.Query($"{sided} SELECT GROUPING({all}), {all}, count(*) FROM {relation} WHERE NOT holdout GROUP BY GROUPING SETS ({groupingSets})", parameters, reader =>
        {
            long mask = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
            if (!index.TryGetValue(mask, out int i)) return;
            var set = sets[i];
            long count = Convert.ToInt64(reader.GetValue(1 + used.Length), CultureInfo.InvariantCulture);
            results[i][Cell(set, k => reader.GetValue(1 + Array.IndexOf(used, set[k])))] += count;
            foreach (int j in Enumerable.Range(i + 1, sets.Count - i - 1).Where(j => sets[j].SequenceEqual(set))) results[j] = results[i];
        });
        return results;
    }

    /// <summary>Exact numbers of rows in the training and holdout parts (for the audit log, inside the boundary). Private.</summary>
    public (long Train, long Holdout) SideCounts()
    {
        var parameters = new SqlParameters();
        long train = 0, holdout = 0;
        var (sided, relation) = Counting(parameters);
        table.Query($"{sided} SELECT holdout, count(*) FROM {relation} GROUP BY holdout", parameters, reader =>
        {
            long n = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            if (Convert.ToBoolean(reader.GetValue(0), CultureInfo.InvariantCulture)) holdout = n;
            else train = n;
        });
        return (train, holdout);
    }

    /// <summary>
    /// The committee's evaluation sample: every unit (person, else row) of either part whose secret
    /// <see cref="RandomPurpose.Sample"/> coin is below <paramref name="rate"/> (all of them at rate 1), fetched by the engine.
    /// Persons stay whole; both parts are sampled at the same rate, so the holdout fraction among them is unchanged.
    /// </summary>
    public (EncodedTable Train, EncodedTable Holdout) Sample(double rate)
    {
        var parameters = new SqlParameters();
        string sided = Sided(parameters, sampleRate: rate);
        var train = codes.Select(_ => new List<int>()).ToArray();
        var holdout = codes.Select(_ => new List<int>()).ToArray();
        table.Query($"{sided} SELECT holdout, {string.Join(", ", codes)} FROM sided WHERE sampled", parameters, reader =>
        {
            var side = Convert.ToBoolean(reader.GetValue(0), CultureInfo.InvariantCulture) ? holdout : train;
            for (int j = 0; j < codes.Length; j++) side[j].Add(Convert.ToInt32(reader.GetValue(1 + j), CultureInfo.InvariantCulture));
        });
        return (new EncodedTable(ColumnNames, DomainSizes, train.Select(c => c.ToArray()).ToArray()),
            new EncodedTable(ColumnNames, DomainSizes, holdout.Select(c => c.ToArray()).ToArray()));
    }

    /// <summary>
    /// Where counts are taken from: on PostgreSQL the <c>sided</c> CTE, evaluated in the read-only snapshot on every query
    /// (GROUPING SETS make that one pass for all marginals); on DuckDB a temporary table of the coded, bounded and split
    /// rows, built in one pass over the file on first use (spilling to disk beyond the memory limit), so the keyed coins
    /// are evaluated once per row and each marginal scans two compressed columns.
    /// </summary>
    private (string Prefix, string Relation) Counting(SqlParameters parameters)
    {
        if (table.Source.Kind == SourceKind.Postgres) return (Sided(parameters, sampleRate: null), "sided");
        if (materialized is null)
        {
            var build = new SqlParameters();
            string columns = string.Join(", ", codes.Select(c => $"CAST({c} AS SMALLINT) AS {c}"));
            table.Execute($"CREATE OR REPLACE TEMP TABLE rgw_sided AS {Sided(build, sampleRate: null)} SELECT {columns}, holdout FROM sided", build);
            materialized = "rgw_sided";
        }

        return ("", materialized);
    }

    private long Cell(IReadOnlyList<int> set, Func<int, object> value)
    {
        long cell = 0;
        for (int k = 0; k < set.Count; k++)
        {
            int code = Convert.ToInt32(value(k), CultureInfo.InvariantCulture);
            if ((uint)code >= (uint)DomainSizes[set[k]])
                throw new SourceProblemException(SourceProblemKind.OutOfDomain, $"column '{ColumnNames[set[k]]}' holds a value outside the schema's domain");
            cell = cell * DomainSizes[set[k]] + code;
        }

        return cell;
    }

    /// <summary>
    /// <c>WITH … sided</c>: the coded rows after bounding with their side (<c>holdout</c>) and, when a rate is given,
    /// whether they are in the evaluation sample (<c>sampled</c>).
    /// </summary>
    private string Sided(SqlParameters parameters, double? sampleRate)
    {
        var dialect = table.Dialect;
        string codeList = string.Join(", ", codes);
        string coded = string.Join(", ", schema.SynthesisColumns.Select((c, i) => $"{EncodingSql.Code(c, schema.OutOfDomain, dialect, parameters)} AS {codes[i]}"));
        var keys = table.KeyColumns(schema);
        string content = $"concat_ws(',', {codeList})";
        string unit = keys.Count > 0 ? dialect.Text("src." + SqlDialect.Quote(keys[0])) : "NULL";
        var sql = new List<string>
        {
            $"coded AS (SELECT {coded}, {unit} AS unit FROM {table.From} AS src)",
            $"keyed AS (SELECT {codeList}, COALESCE(unit, {content}) AS unit, {content} AS content FROM coded)",
        };
        if (schema.PersonKey is not null)
        {
            string order = table.Mac(bounding, "unit || chr(31) || content", parameters);
            sql.Add($"kept AS (SELECT {codeList}, unit FROM (SELECT {codeList}, unit, row_number() OVER (PARTITION BY unit ORDER BY {order}, content) AS rn FROM keyed) ranked WHERE rn <= {maxRowsPerPerson.ToString(CultureInfo.InvariantCulture)})");
        }
        else
        {
            sql.Add($"kept AS (SELECT {codeList}, unit FROM keyed)");
        }

        string holdout = holdoutFraction > 0 ? $"{table.Mac(split, "unit", parameters)} < {table.Threshold(holdoutFraction, parameters)}" : "FALSE";
        string sampled = sampleRate switch
        {
            null or >= 1 => "TRUE",
            <= 0 => "FALSE",
            double p => $"{table.Mac(sample, "unit", parameters)} < {table.Threshold(p, parameters)}",
        };
        sql.Add($"sided AS (SELECT {codeList}, {holdout} AS holdout, {sampled} AS sampled FROM kept)");
        return "WITH " + string.Join(",\n", sql);
    }
}
