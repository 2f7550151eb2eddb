namespace ReleaseGateway.Datasets.Data;

/// <summary>
/// Streaming RFC 4180 record reader: comma separated, fields optionally enclosed in double quotes,
/// a doubled quote inside a quoted field is a literal quote, CRLF or LF ends a record. Holds one
/// record at a time, so files of any length can be validated in constant memory.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader reader;
    private readonly char[] buffer = new char[1 << 16];
    private int position;
    private int length;
    private char[] record = new char[256];
    private int recordLength;
    private readonly List<(int Start, int Length)> fields = [];

    public CsvRecordReader(TextReader reader) => this.reader = reader;

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount => fields.Count;

    /// <summary>1-based number of the current record.</summary>
    public long RecordNumber { get; private set; }

    public ReadOnlySpan<char> Field(int index) => record.AsSpan(fields[index].Start, fields[index].Length);

    /// <summary>
    /// Reads the next record. Returns false at end of input. A quoting error is reported through
    /// <paramref name="error"/> and the reader resynchronises at the next line end.
    /// </summary>
    public bool Read(out string? error)
    {
        error = null;
        fields.Clear();
        recordLength = 0;
        int c = Next();
        if (c < 0)
        {
            return false;
        }

        RecordNumber++;
        int fieldStart = 0;
        while (true)
        {
            if (c == '"' && recordLength == fieldStart)
            {
                // Quoted field: read until the closing quote, unescaping doubled quotes.
                while (true)
                {
                    c = Next();
                    if (c < 0)
                    {
                        error = "unterminated quoted field at end of file";
                        fields.Add((fieldStart, recordLength - fieldStart));
                        return true;
                    }

                    if (c == '"')
                    {
                        c = Next();
                        if (c == '"')
                        {
                            Append('"');
                            continue;
                        }

                        break;
                    }

                    Append((char)c);
                }

                if (c is not (',' or '\r' or '\n') && c >= 0)
                {
                    error = $"unexpected character '{(char)c}' after a closing quote in field {fields.Count + 1}";
                    SkipToLineEnd(c);
                    fields.Add((fieldStart, recordLength - fieldStart));
                    return true;
                }
            }
            else
            {
                while (c >= 0 && c is not (',' or '\r' or '\n'))
                {
                    if (c == '"')
                    {
                        error = $"quote inside an unquoted field {fields.Count + 1}";
                        SkipToLineEnd(c);
                        fields.Add((fieldStart, recordLength - fieldStart));
                        return true;
                    }

                    Append((char)c);
                    c = Next();
                }
            }

            fields.Add((fieldStart, recordLength - fieldStart));
            if (c == ',')
            {
                fieldStart = recordLength;
                c = Next();
                continue;
            }

            if (c == '\r' && Peek() == '\n')
            {
                Next();
            }

            return true;
        }
    }

    private void SkipToLineEnd(int c)
    {
        while (c >= 0 && c != '\n')
        {
            c = Next();
        }
    }

    private void Append(char c)
    {
        if (recordLength == record.Length)
        {
            Array.Resize(ref record, record.Length * 2);
        }

        record[recordLength++] = c;
    }

    private int Next()
    {
        if (position == length)
        {
            length = reader.Read(buffer, 0, buffer.Length);
            position = 0;
            if (length <= 0)
            {
                length = 0;
                return -1;
            }
        }

        return buffer[position++];
    }

    private int Peek()
    {
        if (position == length)
        {
            length = reader.Read(buffer, 0, buffer.Length);
            position = 0;
            if (length <= 0)
            {
                length = 0;
                return -1;
            }
        }

        return buffer[position];
    }
}
