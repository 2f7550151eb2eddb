using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReleaseGateway.EventStore.Chain;

/// <summary>
/// The byte encoding every event's hash covers. Specified in audit/CANONICAL-ENCODING.md; change it
/// only with a new encoding version, or every stored chain stops verifying.
/// </summary>
public static class CanonicalEncoding
{
    /// <summary>Timestamps are hashed and stored as this exact text (UTC, microseconds).</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string FormatTimestamp(DateTimeOffset timestamp)
    {
        Span<byte> utf8 = stackalloc byte[TimestampLength];
        WriteTimestamp(timestamp, utf8);
        return Encoding.ASCII.GetString(utf8);
    }

    private const int TimestampLength = 27;

    /// <summary>Writes <see cref="TimestampFormat"/> as ASCII digits by hand: DateTime.ToString dominated the verifier's walk.</summary>
    private static void WriteTimestamp(DateTimeOffset timestamp, Span<byte> to)
    {
        var t = timestamp.UtcDateTime;
        var micro = (int)(t.Ticks % TimeSpan.TicksPerSecond / 10);
        Digits(to[..4], t.Year); to[4] = (byte)'-';
        Digits(to.Slice(5, 2), t.Month); to[7] = (byte)'-';
        Digits(to.Slice(8, 2), t.Day); to[10] = (byte)'T';
        Digits(to.Slice(11, 2), t.Hour); to[13] = (byte)':';
        Digits(to.Slice(14, 2), t.Minute); to[16] = (byte)':';
        Digits(to.Slice(17, 2), t.Second); to[19] = (byte)'.';
        Digits(to.Slice(20, 6), micro); to[26] = (byte)'Z';
    }

    private static void Digits(Span<byte> to, int value)
    {
        for (var i = to.Length - 1; i >= 0; i--, value /= 10) to[i] = (byte)('0' + value % 10);
    }

    /// <summary>Parses <see cref="TimestampFormat"/> exactly; anything else is a <see cref="FormatException"/>.</summary>
    public static DateTimeOffset ParseTimestamp(string text)
    {
        // Hand-rolled for the verifier's hot path (ParseExact dominated the walk); falls back for the error message.
        if (text.Length == 27 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == '.' && text[26] == 'Z'
            && TryDigits(text, 0, 4, out var year) && TryDigits(text, 5, 2, out var month) && TryDigits(text, 8, 2, out var day)
            && TryDigits(text, 11, 2, out var hour) && TryDigits(text, 14, 2, out var minute) && TryDigits(text, 17, 2, out var second)
            && TryDigits(text, 20, 6, out var micro) && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year == 0 ? 1 : year, month)
            && hour < 24 && minute < 60 && second < 60 && year > 0)
            return new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(micro * 10L));
        return DateTimeOffset.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private static bool TryDigits(string s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    /// <summary>Stream ids are hashed as lowercase 36-character text with hyphens.</summary>
    public static string FormatStreamId(Guid streamId) => streamId.ToString("D");

    [ThreadStatic] private static byte[]? _buffer;

    /// <summary>hash = SHA-256(previous hash as 32 raw bytes ‖ canonical bytes of the event), as lowercase hex.</summary>
    public static string ComputeHash(StoredEvent e)
    {
        var m = e.Metadata;
        var size = 32 + 3 * 8 + 8 * 4 + 36 + TimestampLength + Utf8(e.EventType) + Utf8(e.Body) + Utf8(m.ActorId) + Utf8(m.ActorRole)
                   + Utf8(m.CorrelationId) + Utf8(m.CausationId);
        var buffer = _buffer is { } b && b.Length >= size ? b : _buffer = new byte[Math.Max(size, 4096)];
        var span = buffer.AsSpan();
        var at = 0;
        if (e.PreviousHash.Length != 64 || Convert.FromHexString(e.PreviousHash, span[..32], out _, out _) != System.Buffers.OperationStatus.Done)
            throw new FormatException($"Previous hash '{e.PreviousHash}' is not 64 hex characters.");
        at += 32;
        WriteInt64(span, ref at, e.Position);
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], 36);
        e.StreamId.TryFormat(span.Slice(at + 4, 36), out _, "D");
        at += 40;
        WriteInt64(span, ref at, e.StreamVersion);
        WriteString(span, ref at, e.EventType);
        WriteInt64(span, ref at, e.SchemaVersion);
        WriteString(span, ref at, e.Body);
        WriteString(span, ref at, m.ActorId);
        WriteString(span, ref at, m.ActorRole);
        WriteString(span, ref at, m.CorrelationId);
        WriteString(span, ref at, m.CausationId);
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], TimestampLength);
        WriteTimestamp(e.Timestamp, span.Slice(at + 4, TimestampLength));
        at += 4 + TimestampLength;
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(span[..at], digest);
        return Convert.ToHexStringLower(digest);
    }

    private static int Utf8(string? s) => s is null ? 0 : Encoding.UTF8.GetMaxByteCount(s.Length);

    private static void WriteInt64(Span<byte> span, ref int at, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(span[at..], value);
        at += 8;
    }

    private static void WriteString(Span<byte> span, ref int at, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[at..], uint.MaxValue);
            at += 4;
            return;
        }
        var n = Encoding.UTF8.GetBytes(value, span[(at + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)n);
        at += 4 + n;
    }
}
