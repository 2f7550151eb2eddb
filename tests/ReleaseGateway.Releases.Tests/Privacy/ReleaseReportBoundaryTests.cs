using System.Reflection;
using System.Reflection.Emit;
using ReleaseGateway.Releases.Pipeline;
using ReleaseGateway.Releases.Reports;
using ReleaseGateway.Requests.Datasets;
using ReleaseGateway.Requests.Datasets.UploadSourceTable;
using ReleaseGateway.Datasets.Data;
using ReleaseGateway.Synthesis.Data;
using ReleaseGateway.Synthesis.Marginals;

namespace ReleaseGateway.Releases.Tests.Privacy;

/// <summary>
/// The release report cannot reach the real table: nothing in its namespace accepts, exposes or even mentions (in a method
/// body) a type through which real data or its statistics flow. The synthetic table it reads has no public constructor:
/// the only way in is <see cref="SyntheticTable.LoadAsync"/>, from a generation's stored synthetic artifact.
/// </summary>
public sealed class ReleaseReportBoundaryTests
{
    private static readonly Type[] RealData =
    [
        typeof(SourceTableStore), typeof(DatasetDetails), typeof(ReleaseSplitRecorded), typeof(ReleaseEvaluated), typeof(GateOutcome),
        typeof(IMarginalSource), typeof(TableMarginalSource), typeof(ReleaseEvaluation), typeof(ReleaseGeneration), typeof(CsvValidationReport),
    ];

    private static IEnumerable<Type> ReportTypes => typeof(ReleaseReportBuilder).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(ReleaseReportBuilder).Namespace);

    [Fact]
    public void Given_the_reports_namespace_When_its_members_are_inspected_Then_none_accepts_or_exposes_a_real_data_type_or_a_raw_table()
    {
        var offending = new List<string>();
        foreach (var type in ReportTypes)
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var exposed = method.GetParameters().Select(p => p.ParameterType)
                    .Concat(method is MethodInfo m ? [m.ReturnType] : []);
                // A raw EncodedTable may be held privately by SyntheticTable (the decoded artifact), never passed in or out.
                foreach (var t in exposed.SelectMany(Flatten))
                    if (RealData.Contains(t) || (method.IsPublic && t == typeof(EncodedTable)) || (method.IsPublic && t == typeof(Stream)))
                        offending.Add($"{type.Name}.{method.Name}: {t.Name}");
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
                foreach (var t in Flatten(property.PropertyType))
                    if (RealData.Contains(t) || t == typeof(EncodedTable)) offending.Add($"{type.Name}.{property.Name}: {t.Name}");
        }
        Assert.Empty(offending);
        Assert.Empty(typeof(SyntheticTable).GetConstructors());
    }

    [Fact]
    public void Given_the_reports_namespace_When_its_method_bodies_are_read_Then_none_refers_to_a_real_data_type()
    {
        var offending = new List<string>();
        foreach (var type in ReportTypes)
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                         .Cast<MethodBase>().Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
                foreach (var member in ReferencedMembers(method))
                    if (RealData.Contains(member) || RealData.Contains(member.DeclaringType))
                        offending.Add($"{type.Name}.{method.Name} → {member.DeclaringType?.Name}.{member.Name}");
        Assert.Empty(offending);
        // The scan sees real references: the loader reads the synthetic CSV through CsvTableReader.
        Assert.Contains(ReportTypes.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static |
            BindingFlags.DeclaredOnly)).SelectMany(ReferencedMembers), m => m.DeclaringType == typeof(CsvTableReader));
    }

    private static IEnumerable<Type> Flatten(Type t)
    {
        yield return t.IsByRef || t.IsArray ? t.GetElementType()! : t;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments().SelectMany(Flatten)) yield return a;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Every type and member a method's IL refers to by token (calls, field accesses, newobj, casts, ldtoken).</summary>
    private static IEnumerable<MemberInfo> ReferencedMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        for (var i = 0; i < il.Length;)
        {
            OpCode op = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                            method.IsGenericMethod ? method.GetGenericArguments() : null);
                    }
                    catch (ArgumentException)
                    {
                    }
                    if (member is not null) yield return member;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
