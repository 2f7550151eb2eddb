namespace ReleaseGateway.Synthesis.Neural.TorchLoading;

/// <summary>What <see cref="SymbolVersionPatcher.Plan"/> found: requirements to weaken and those already weak.</summary>
/// <param name="ToWeaken">Missing versions whose requirement is strong and can safely be made weak.</param>
/// <param name="AlreadyWeak">Missing versions already marked weak (a previous patch: nothing to do).</param>
public sealed record VersionPatchPlan(IReadOnlyList<VersionNeed> ToWeaken, IReadOnlyList<VersionNeed> AlreadyWeak)
{
    /// <summary>True when the file loads as it is.</summary>
    public bool IsNoOp => ToWeaken.Count == 0;
}

/// <summary>
/// Makes a shared object load against an older C++ runtime by marking the version requirements
/// that runtime cannot satisfy as weak (<c>VER_FLG_WEAK</c> in <c>vna_flags</c>). The glibc loader
/// then only warns about the missing version instead of refusing the library.
/// </summary>
/// <remarks>
/// Safe only when no code depends on a symbol of the missing version: <see cref="Plan"/> refuses
/// unless every symbol bound to such a version is undefined and referenced by no relocation, so the
/// loader never needs to resolve it. For TorchSharp 0.107 the single such symbol is
/// <c>std::ios_base_library_init()</c> (GLIBCXX_3.4.32, GCC 13), a marker the C++ runtime uses to
/// order iostream initialisation, which nothing calls. See docs/adr/0016-torchsharp-glibcxx-fix.md.
/// </remarks>
public static class SymbolVersionPatcher
{
    /// <summary>
    /// Plans the patch of <paramref name="image"/> for a system where <paramref name="library"/>
    /// (a DT_NEEDED name such as <c>libstdc++.so.6</c>) defines only the versions in <paramref name="provided"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A missing version carries a symbol that is defined or relocated: weakening it would break the program.</exception>
    public static VersionPatchPlan Plan(ElfImage image, string library, IReadOnlySet<string> provided)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(library);
        ArgumentNullException.ThrowIfNull(provided);
        List<VersionNeed> missing = image.VersionNeeds().Where(n => n.File == library && !provided.Contains(n.Name)).ToList();
        if (missing.Count == 0)
        {
            return new VersionPatchPlan([], []);
        }

        IReadOnlyList<DynamicSymbol> symbols = image.DynamicSymbols();
        IReadOnlySet<int> relocated = image.RelocatedSymbols();
        foreach (VersionNeed need in missing.Where(n => !n.IsWeak))
        {
            foreach (DynamicSymbol symbol in symbols.Where(s => s.VersionIndex == need.Index))
            {
                if (symbol.IsDefined || relocated.Contains(symbol.Index))
                {
                    throw new InvalidOperationException(
                        $"{library} lacks version {need.Name}, and symbol '{symbol.Name}' of that version is {(symbol.IsDefined ? "defined" : "relocated")}: " +
                        "marking the requirement weak would not be safe; install a newer libstdc++ (GCC >= 13) instead");
                }
            }
        }

        return new VersionPatchPlan(missing.Where(n => !n.IsWeak).ToArray(), missing.Where(n => n.IsWeak).ToArray());
    }

    /// <summary>Returns a copy of <paramref name="image"/> with the planned requirements marked weak (the input is not changed).</summary>
    public static byte[] Apply(ReadOnlySpan<byte> image, VersionPatchPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        byte[] patched = image.ToArray();
        foreach (VersionNeed need in plan.ToWeaken)
        {
            ushort flags = (ushort)(need.Flags | ElfImage.VerFlagWeak);
            patched[need.FlagsOffset] = (byte)flags;
            patched[need.FlagsOffset + 1] = (byte)(flags >> 8);
        }

        return patched;
    }
}
