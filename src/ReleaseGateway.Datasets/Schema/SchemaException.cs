namespace ReleaseGateway.Datasets.Schema;

/// <summary>
/// An invalid dataset schema. <see cref="Exception.Message"/> names the location (a JSON path such as
/// <c>$.columns[2].bins</c>, or the column) and the reason, so a steward can fix the file.
/// </summary>
public sealed class SchemaException : Exception
{
    /// <summary>Creates the exception; <paramref name="location"/> is a JSON path or column reference.</summary>
    public SchemaException(string location, string reason)
        : base($"{location}: {reason}")
    {
        Location = location;
        Reason = reason;
    }

    /// <summary>JSON path (or column reference) of the offending element.</summary>
    public string Location { get; }

    /// <summary>Why the element is invalid.</summary>
    public string Reason { get; }
}
