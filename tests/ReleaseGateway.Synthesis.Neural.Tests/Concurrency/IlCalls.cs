using System.Reflection;
using System.Reflection.Emit;

namespace ReleaseGateway.Synthesis.Neural.Tests.Concurrency;

/// <summary>Reads which methods a method body calls, from its IL (enough of an IL decoder for that).</summary>
internal static class IlCalls
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every method and constructor declared in <paramref name="assembly"/>, compiler-generated ones (lambdas, closures) included.</summary>
    public static IEnumerable<MethodBase> MethodsOf(Assembly assembly)
    {
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }

        foreach (Type type in types.OfType<Type>())
        {
            MethodBase[] methods;
            try
            {
                methods = [.. type.GetMethods(Declared), .. type.GetConstructors(Declared)];
            }
            catch (Exception e) when (e is TypeLoadException or FileNotFoundException)
            {
                continue;
            }

            foreach (MethodBase method in methods)
            {
                yield return method;
            }
        }
    }

    /// <summary>Methods referenced by call, callvirt, newobj, ldftn and ldvirtftn in the body of <paramref name="method"/> (those that resolve).</summary>
    public static IReadOnlyList<MethodBase> CalledBy(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or BadImageFormatException or InvalidOperationException)
        {
            return [];
        }

        if (il is null)
        {
            return [];
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method is MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericArguments() : null;
        var calls = new List<MethodBase>();
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
            OpCode code = OpCodesByValue[value];
            position += code.Size;
            int operandSize = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
                _ => 4,
            };
            if (code.OperandType == OperandType.InlineMethod)
            {
                try
                {
                    if (method.Module.ResolveMethod(BitConverter.ToInt32(il, position), typeArguments, methodArguments) is { } callee)
                    {
                        calls.Add(callee);
                    }
                }
                catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMethodException or BadImageFormatException)
                {
                    // A callee in an assembly that is not deployed (TorchSharp's optional dependencies): not ours to check.
                }
            }

            position += operandSize;
        }

        return calls;
    }

    /// <summary>Identity of a method across generic instantiations: its module and definition token.</summary>
    public static (Module Module, int Token) Key(MethodBase method) => (method.Module, method.MetadataToken);
}
