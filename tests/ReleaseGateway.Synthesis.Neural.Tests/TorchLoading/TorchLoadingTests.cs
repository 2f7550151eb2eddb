using System.Runtime.InteropServices;
using ReleaseGateway.Synthesis.Neural.DpSgd;
using ReleaseGateway.Synthesis.Neural.TorchLoading;
using TorchSharp;
using static TorchSharp.torch;

namespace ReleaseGateway.Synthesis.Neural.Tests.TorchLoading;

public sealed class TorchLoadingTests
{
    private static readonly string[] GlibcxxFamilies = ["GLIBCXX_", "CXXABI_"];

    /// <summary>The unmodified library as shipped in the NuGet cache (read only, never written).</summary>
    private static string PristineLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        return Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFile);
    }

    [Fact]
    public void Given_ShippedLibrary_When_Parsed_Then_ItRequiresGlibcxx3432ForOnlyTheUnrelocatedIosBaseMarker()
    {
        var image = new ElfImage(File.ReadAllBytes(PristineLibrary()));

        VersionNeed need = Assert.Single(image.VersionNeeds(), n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        DynamicSymbol symbol = Assert.Single(image.DynamicSymbols(), s => s.VersionIndex == need.Index);
        Assert.Equal("_ZSt21ios_base_library_initv", symbol.Name);
        Assert.DoesNotContain(symbol.Index, image.RelocatedSymbols());
    }

    [Fact]
    public void Given_RuntimeWithoutGlibcxx3432_When_Patched_Then_OnlyThatRequirementBecomesWeakAndRepatchingIsNoOp()
    {
        byte[] original = File.ReadAllBytes(PristineLibrary());
        var image = new ElfImage(original);
        // A libstdc++ like Debian 12's (GCC 12): every version up to 3.4.30 but not 3.4.32.
        var gcc12 = image.VersionNeeds().Where(n => n.File == "libstdc++.so.6" && n.Name != "GLIBCXX_3.4.32").Select(n => n.Name).ToHashSet();

        VersionPatchPlan plan = SymbolVersionPatcher.Plan(image, "libstdc++.so.6", gcc12);
        byte[] patched = SymbolVersionPatcher.Apply(original, plan);

        Assert.Equal("GLIBCXX_3.4.32", Assert.Single(plan.ToWeaken).Name);
        Assert.Equal(original.Length, patched.Length);
        int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal([(int)plan.ToWeaken[0].FlagsOffset], changed);
        var reparsed = new ElfImage(patched);
        Assert.True(reparsed.VersionNeeds().Single(n => n.Name == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(reparsed.VersionNeeds().Where(n => n.Name != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
        VersionPatchPlan again = SymbolVersionPatcher.Plan(reparsed, "libstdc++.so.6", gcc12);
        Assert.True(again.IsNoOp);
        Assert.Single(again.AlreadyWeak);
    }

    [Fact]
    public void Given_RuntimeThatProvidesEveryVersion_When_Planned_Then_NothingIsPatched()
    {
        var image = new ElfImage(File.ReadAllBytes(PristineLibrary()));
        var all = image.VersionNeeds().Select(n => n.Name).ToHashSet();

        Assert.True(SymbolVersionPatcher.Plan(image, "libstdc++.so.6", all).IsNoOp);
    }

    [Fact]
    public void Given_MissingVersionWithRelocatedSymbols_When_Planned_Then_PatchIsRefused()
    {
        var image = new ElfImage(File.ReadAllBytes(PristineLibrary()));
        var withoutBase = image.VersionNeeds().Select(n => n.Name).Where(n => n != "GLIBCXX_3.4").ToHashSet();

        Assert.Throws<InvalidOperationException>(() => SymbolVersionPatcher.Plan(image, "libstdc++.so.6", withoutBase));
    }

    [Fact]
    public void Given_OutputCopyHardLinkedToThePackageCache_When_Replaced_Then_TheCacheFileKeepsItsBytes()
    {
        // The build hard-links package files into bin/ (src/Directory.Build.props), so patching the output copy
        // in place would patch the NuGet cache that every project on the machine shares.
        string folder = Directory.CreateTempSubdirectory("rgw-hardlink-").FullName;
        try
        {
            string cached = Path.Combine(folder, "cached.so");
            string output = Path.Combine(folder, "output.so");
            File.WriteAllBytes(cached, [1, 2, 3, 4]);
            Assert.Equal(0, link(cached, output));
            File.WriteAllBytes(output, [1, 2, 3, 5]);
            Assert.Equal([1, 2, 3, 5], File.ReadAllBytes(cached));
            File.WriteAllBytes(output, [1, 2, 3, 4]);

            Assert.True(TorchRuntime.TryReplaceAtomically(output, [9, 9, 9, 9]));

            Assert.Equal([9, 9, 9, 9], File.ReadAllBytes(output));
            Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(cached));
            Assert.Equal([Path.GetFileName(cached), Path.GetFileName(output)], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Given_ThisProcess_When_CxxRuntimeIsInspected_Then_ItsVersionDefinitionsAreRead()
    {
        IReadOnlySet<string>? versions = TorchRuntime.LoadedCxxRuntimeVersions();

        Assert.NotNull(versions);
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
        Assert.All(versions, v => Assert.Contains(GlibcxxFamilies, f => v.StartsWith(f, StringComparison.Ordinal) || v == "libstdc++.so.6"));
    }

    [Fact]
    public void Given_CleanOutput_When_TorchIsInitialized_Then_ForwardAndBackwardPassComputeTheAnalyticGradient()
    {
        NativeFixOutcome outcome = TorchRuntime.EnsureInitialized();
        Assert.NotEqual(NativeFixOutcome.LibraryNotFound, outcome);
        Assert.Equal(outcome, TorchRuntime.EnsureInitialized());

        torch.manual_seed(7);
        using var layer = nn.Linear(3, 1);
        using Tensor x = tensor(new float[] { 1, 2, 3, -1, 0, 2 }, [2, 3]);
        using Tensor y = layer.forward(x);
        using Tensor squared = ScalarOps.Square(y);
        using Tensor loss = squared.sum();
        loss.backward();

        // d/dW sum_i (W x_i + b)^2 = sum_i 2 (W x_i + b) x_i
        float[] outputs = y.data<float>().ToArray();
        float[] expected = new float[3];
        float[] rows = [1, 2, 3, -1, 0, 2];
        for (int i = 0; i < 2; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                expected[k] += 2 * outputs[i] * rows[i * 3 + k];
            }
        }

        float[] gradient = layer.weight!.grad!.data<float>().ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(expected[k], gradient[k], 4);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string newPath);
}
