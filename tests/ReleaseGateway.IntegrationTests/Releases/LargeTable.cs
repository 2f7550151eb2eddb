using System.Text;

namespace ReleaseGateway.IntegrationTests.Releases;

/// <summary>
/// A synthetic-scale table (seeded, so every run sees the same data): 12 categorical columns, each depending on the
/// one before it, so generation and evaluation take long enough to be interrupted mid-step.
/// </summary>
internal static class LargeTable
{
    private const int Width = 12;
    private const int Categories = 6;

    public static readonly string[] Columns = Enumerable.Range(0, Width).Select(j => $"c{j}").ToArray();

    public static readonly string Schema = "{\"columns\": [" + string.Join(", ", Columns.Select(c =>
        $"{{\"name\": \"{c}\", \"type\": \"categorical\", \"categories\": [{string.Join(", ", Enumerable.Range(0, Categories).Select(k => $"\"v{k}\""))}]}}")) + "]}";

    public static string Csv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder(string.Join(',', Columns)).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var previous = random.Next(Categories);
            for (var j = 0; j < Width; j++)
            {
                var value = j == 0 ? previous : random.NextDouble() < 0.7 ? previous : random.Next(Categories);
                csv.Append('v').Append(value).Append(j == Width - 1 ? '\n' : ',');
                previous = value;
            }
        }
        return csv.ToString();
    }
}
