namespace ReleaseGateway.Testing;

/// <summary>
/// The worked example of a person-level dataset (docs/schema.md): pbcseq, 1,945 visits of 312 patients (up to 16 each),
/// with <c>id</c> declared the person key. Bounds are public, round, and wider than the data, as a steward would declare them.
/// </summary>
public static class Pbcseq
{
    public const int Rows = 1945;
    public const int Persons = 312;
    public const int MostRowsOfOnePerson = 16;

    public static string CsvPath => Path.Combine(RepositoryPaths.SharedData, "pbcseq.csv");

    public const string SchemaJson = """
        { "columns": [
          {"name": "id", "type": "identifier", "role": "personKey"},
          {"name": "futime", "type": "integer", "min": 0, "max": 5999, "bins": 12},
          {"name": "status", "type": "integer", "min": 0, "max": 2},
          {"name": "trt", "type": "integer", "min": 0, "max": 1},
          {"name": "age", "type": "continuous", "min": 20, "max": 80, "bins": 12, "role": "quasi-identifier"},
          {"name": "sex", "type": "categorical", "categories": ["f", "m"], "role": "quasi-identifier"},
          {"name": "day", "type": "integer", "min": 0, "max": 5999, "bins": 12},
          {"name": "ascites", "type": "integer", "min": 0, "max": 1, "missing": true},
          {"name": "hepato", "type": "integer", "min": 0, "max": 1, "missing": true},
          {"name": "spiders", "type": "integer", "min": 0, "max": 1, "missing": true},
          {"name": "edema", "type": "categorical", "categories": ["0", "0.5", "1"]},
          {"name": "bili", "type": "continuous", "min": 0, "max": 45, "bins": 15},
          {"name": "chol", "type": "integer", "min": 0, "max": 1999, "bins": 10, "missing": true},
          {"name": "albumin", "type": "continuous", "min": 1, "max": 9, "bins": 16},
          {"name": "alk.phos", "type": "integer", "min": 0, "max": 13999, "bins": 14, "missing": true},
          {"name": "ast", "type": "continuous", "min": 0, "max": 1300, "bins": 13},
          {"name": "platelet", "type": "integer", "min": 0, "max": 999, "bins": 10, "missing": true},
          {"name": "protime", "type": "continuous", "min": 8, "max": 40, "bins": 16},
          {"name": "stage", "type": "integer", "min": 1, "max": 4, "role": "sensitive"} ] }
        """;
}
