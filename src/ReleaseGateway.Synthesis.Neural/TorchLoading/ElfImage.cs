using System.Buffers.Binary;
using System.Text;

namespace ReleaseGateway.Synthesis.Neural.TorchLoading;

/// <summary>One version a shared object requires from a library (an <c>Elf64_Vernaux</c> entry of <c>.gnu.version_r</c>).</summary>
/// <param name="File">The library the version is required from (e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Name">Version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Index">Version index (<c>vna_other</c>) that <c>.gnu.version</c> entries refer to.</param>
/// <param name="Flags">The <c>vna_flags</c> field; bit <see cref="ElfImage.VerFlagWeak"/> marks the requirement weak.</param>
/// <param name="FlagsOffset">File offset of <c>vna_flags</c> (where a patch writes).</param>
public sealed record VersionNeed(string File, string Name, int Index, ushort Flags, long FlagsOffset)
{
    /// <summary>True when the dynamic loader only warns if the version is missing.</summary>
    public bool IsWeak => (Flags & ElfImage.VerFlagWeak) != 0;
}

/// <summary>A dynamic symbol with its version index (from <c>.dynsym</c> and <c>.gnu.version</c>).</summary>
public sealed record DynamicSymbol(int Index, string Name, int VersionIndex, bool IsDefined);

/// <summary>
/// Read-only view of the parts of a little-endian ELF64 shared object that symbol versioning uses:
/// section headers, <c>.dynsym</c>/<c>.dynstr</c>, <c>.gnu.version</c> (versym),
/// <c>.gnu.version_r</c> (verneed), <c>.gnu.version_d</c> (verdef) and the RELA relocation sections.
/// Layouts follow the System V gABI and the LSB "Symbol Versioning" chapter.
/// </summary>
public sealed class ElfImage
{
    /// <summary><c>VER_FLG_WEAK</c>: a missing version is a warning, not an error.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtRela = 4, ShtDynsym = 11, ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    private readonly byte[] bytes;
    private readonly List<Section> sections = [];

    private sealed record Section(string Name, uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

    /// <summary>Parses <paramref name="image"/> (the whole file).</summary>
    /// <exception cref="InvalidDataException">Not a little-endian ELF64 file, or a table points outside the file.</exception>
    public ElfImage(byte[] image)
    {
        bytes = image ?? throw new ArgumentNullException(nameof(image));
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new InvalidDataException("only little-endian ELF64 is supported");
        }

        long shoff = (long)U64(40);
        int shentsize = U16(58), shnum = U16(60), shstrndx = U16(62);
        if (shoff == 0 || shnum == 0 || shentsize < 64 || shoff + (long)shnum * shentsize > bytes.Length || shstrndx >= shnum)
        {
            throw new InvalidDataException("missing or truncated section header table");
        }

        var raw = new List<(uint Name, uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize)>();
        for (int i = 0; i < shnum; i++)
        {
            int at = checked((int)(shoff + (long)i * shentsize));
            raw.Add((U32(at), U32(at + 4), (long)U64(at + 24), (long)U64(at + 32), U32(at + 40), U32(at + 44), (long)U64(at + 56)));
        }

        long strtab = raw[shstrndx].Offset;
        foreach (var s in raw)
        {
            if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > bytes.Length)
            {
                throw new InvalidDataException("a section extends past the end of the file");
            }

            sections.Add(new Section(CString(strtab + s.Name), s.Type, s.Offset, s.Size, s.Link, s.Info, s.EntrySize));
        }
    }

    /// <summary>Section names in header order.</summary>
    public IReadOnlyList<string> SectionNames => sections.Select(s => s.Name).ToArray();

    /// <summary>The versions required from other libraries (empty when there is no <c>.gnu.version_r</c>).</summary>
    public IReadOnlyList<VersionNeed> VersionNeeds()
    {
        var result = new List<VersionNeed>();
        foreach (Section verneed in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            long strtab = sections[(int)verneed.Link].Offset;
            long entry = verneed.Offset;
            for (uint n = 0; n < verneed.Info; n++)
            {
                int count = U16(entry + 2);
                string file = CString(strtab + U32(entry + 4));
                long aux = entry + U32(entry + 8);
                for (int a = 0; a < count; a++)
                {
                    result.Add(new VersionNeed(file, CString(strtab + U32(aux + 8)), U16(aux + 6), U16(aux + 4), aux + 4));
                    uint nextAux = U32(aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                uint next = U32(entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return result;
    }

    /// <summary>The version names this library defines (<c>.gnu.version_d</c>), e.g. <c>GLIBCXX_3.4.30</c>.</summary>
    public IReadOnlySet<string> VersionDefinitions()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (Section verdef in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            long strtab = sections[(int)verdef.Link].Offset;
            long entry = verdef.Offset;
            for (uint n = 0; n < verdef.Info; n++)
            {
                // The first Verdaux of a definition names the version; the others name its parents.
                result.Add(CString(strtab + U32(entry + U32(entry + 12))));
                uint next = U32(entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return result;
    }

    /// <summary>The dynamic symbols with their version indices (index 0 is the null symbol).</summary>
    public IReadOnlyList<DynamicSymbol> DynamicSymbols()
    {
        Section? dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        if (dynsym is null)
        {
            return [];
        }

        Section? versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        long strtab = sections[(int)dynsym.Link].Offset;
        int count = (int)(dynsym.Size / 24);
        var result = new DynamicSymbol[count];
        for (int i = 0; i < count; i++)
        {
            long at = dynsym.Offset + i * 24L;
            int version = versym is null ? 1 : U16(versym.Offset + i * 2L) & 0x7fff;
            result[i] = new DynamicSymbol(i, CString(strtab + U32(at)), version, U16(at + 6) != 0);
        }

        return result;
    }

    /// <summary>Indices of the dynamic symbols that some RELA relocation refers to.</summary>
    public IReadOnlySet<int> RelocatedSymbols()
    {
        var result = new HashSet<int>();
        int dynsymIndex = sections.FindIndex(s => s.Type == ShtDynsym);
        foreach (Section rela in sections.Where(s => s.Type == ShtRela && s.Link == dynsymIndex))
        {
            for (long at = rela.Offset; at + 24 <= rela.Offset + rela.Size; at += 24)
            {
                result.Add((int)(U64(at + 8) >> 32));
            }
        }

        return result;
    }

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(at, 2));

    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(at, 4));

    private ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(at, 8));

    private ReadOnlySpan<byte> Slice(long at, int length) =>
        at >= 0 && at + length <= bytes.Length ? bytes.AsSpan((int)at, length) : throw new InvalidDataException($"offset {at} is outside the file");

    private string CString(long at)
    {
        if (at < 0 || at >= bytes.Length)
        {
            throw new InvalidDataException($"string offset {at} is outside the file");
        }

        int end = Array.IndexOf(bytes, (byte)0, (int)at);
        return Encoding.ASCII.GetString(bytes, (int)at, (end < 0 ? bytes.Length : end) - (int)at);
    }
}
