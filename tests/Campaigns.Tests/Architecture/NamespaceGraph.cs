using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Campaigns.Tests.Architecture;

/// <summary>
/// Which of an assembly's folders (the namespace one level below its root, <c>Campaigns.Api.Storage</c> for
/// everything in <c>Storage/</c>) uses which, read from the compiled metadata: base types, interfaces, signatures of
/// fields, methods and properties, attribute types, locals and every type, method and field an IL instruction names
/// (a <c>typeof</c> inside an attribute's arguments is a string there, and is not followed).
/// Compiler-generated nested types (lambdas, async state machines) count for the type that declares them.
/// </summary>
public sealed class NamespaceGraph
{
    /// <summary>For each edge (from folder, to folder), the type pairs that make it, "From.Type -> To.Type".</summary>
    public IReadOnlyDictionary<(string From, string To), SortedSet<string>> Edges { get; }

    private NamespaceGraph(Dictionary<(string, string), SortedSet<string>> edges) => Edges = edges;

    public static NamespaceGraph Read(string assemblyPath, string rootNamespace)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        var scanner = new Scanner(reader, pe);

        foreach (var handle in reader.TypeDefinitions)
        {
            var from = Outermost(reader, handle);
            var fromFolder = FolderOf(reader, from, rootNamespace);
            if (fromFolder is null)
            {
                continue;
            }

            foreach (var used in scanner.TypesUsedBy(handle))
            {
                var to = Outermost(reader, used);
                var toFolder = FolderOf(reader, to, rootNamespace);
                if (toFolder is null || toFolder == fromFolder)
                {
                    continue;
                }

                if (!edges.TryGetValue((fromFolder, toFolder), out var pairs))
                {
                    edges[(fromFolder, toFolder)] = pairs = [];
                }

                pairs.Add($"{FullName(reader, from)} -> {FullName(reader, to)}");
            }
        }

        return new NamespaceGraph(edges);
    }

    /// <summary>Every group of folders that depend on each other (strongly connected, two or more), each as one
    /// cycle through all of them with the type pairs behind each step.</summary>
    public IReadOnlyList<string> Cycles()
    {
        var nodes = Edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order().ToList();
        var next = nodes.ToDictionary(n => n, n => Edges.Keys.Where(e => e.From == n).Select(e => e.To).Order().ToList());
        var reports = new List<string>();
        foreach (var component in StronglyConnected(nodes, next).Where(c => c.Count > 1))
        {
            var lines = new List<string> { $"{string.Join(" <-> ", component.Order())}:" };
            foreach (var from in component.Order())
            {
                foreach (var to in next[from].Where(component.Contains))
                {
                    var pairs = Edges[(from, to)];
                    lines.Add($"  {from} -> {to}: {string.Join("; ", pairs.Take(4))}{(pairs.Count > 4 ? $"; (+{pairs.Count - 4} more)" : "")}");
                }
            }

            reports.Add(string.Join(Environment.NewLine, lines));
        }

        return reports;
    }

    // Tarjan's algorithm.
    private static List<HashSet<string>> StronglyConnected(List<string> nodes, Dictionary<string, List<string>> next)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<HashSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in next[node])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new HashSet<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        for (var declaring = reader.GetTypeDefinition(handle).GetDeclaringType(); !declaring.IsNil; declaring = reader.GetTypeDefinition(handle).GetDeclaringType())
        {
            handle = declaring;
        }

        return handle;
    }

    /// <summary>The folder a type is in, or null for what is no folder of ours: the compiler's and source generators'
    /// types outside the root namespace (<c>&lt;PrivateImplementationDetails&gt;</c>, attributes it embeds).
    /// Top-level statements' <c>Program</c>, in the global namespace, is the root itself.</summary>
    private static string? FolderOf(MetadataReader reader, TypeDefinitionHandle handle, string rootNamespace)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var ns = reader.GetString(type.Namespace);
        if (name.StartsWith('<'))
        {
            return null;
        }

        if (ns.Length == 0)
        {
            return name == "Program" ? rootNamespace : null;
        }

        if (ns == rootNamespace)
        {
            return rootNamespace;
        }

        if (!ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var dot = ns.IndexOf('.', rootNamespace.Length + 1);
        return dot < 0 ? ns : ns[..dot];
    }

    private static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var ns = reader.GetString(type.Namespace);
        var name = reader.GetString(type.Name);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    /// <summary>Collects the type definitions of this assembly that a type definition names anywhere.</summary>
    private sealed class Scanner(MetadataReader reader, PEReader pe)
    {
        private static readonly Dictionary<ushort, OperandType> OperandTypes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => unchecked((ushort)o.Value), o => o.OperandType);

        private readonly DefinitionCollector collector = new();

        public HashSet<TypeDefinitionHandle> TypesUsedBy(TypeDefinitionHandle handle)
        {
            var found = new HashSet<TypeDefinitionHandle>();
            var type = reader.GetTypeDefinition(handle);
            AddEntity(type.BaseType, found);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                AddEntity(reader.GetInterfaceImplementation(implementation).Interface, found);
            }

            AddAttributes(type.GetCustomAttributes(), found);
            AddGenericParameters(type.GetGenericParameters(), found);

            foreach (var fieldHandle in type.GetFields())
            {
                var field = reader.GetFieldDefinition(fieldHandle);
                found.UnionWith(field.DecodeSignature(collector, null));
                AddAttributes(field.GetCustomAttributes(), found);
            }

            foreach (var propertyHandle in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(propertyHandle);
                AddMethodSignature(property.DecodeSignature(collector, null), found);
                AddAttributes(property.GetCustomAttributes(), found);
            }

            foreach (var eventHandle in type.GetEvents())
            {
                AddEntity(reader.GetEventDefinition(eventHandle).Type, found);
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                AddMethodSignature(method.DecodeSignature(collector, null), found);
                AddAttributes(method.GetCustomAttributes(), found);
                AddGenericParameters(method.GetGenericParameters(), found);
                foreach (var parameter in method.GetParameters())
                {
                    AddAttributes(reader.GetParameter(parameter).GetCustomAttributes(), found);
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(pe.GetMethodBody(method.RelativeVirtualAddress), found);
                }
            }

            return found;
        }

        private void AddMethodSignature(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature, HashSet<TypeDefinitionHandle> found)
        {
            found.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                found.UnionWith(parameter);
            }
        }

        private void AddAttributes(CustomAttributeHandleCollection attributes, HashSet<TypeDefinitionHandle> found)
        {
            foreach (var attribute in attributes)
            {
                var constructor = reader.GetCustomAttribute(attribute).Constructor;
                AddEntity(constructor, found);
            }
        }

        private void AddGenericParameters(GenericParameterHandleCollection parameters, HashSet<TypeDefinitionHandle> found)
        {
            foreach (var parameter in parameters)
            {
                foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
                {
                    AddEntity(reader.GetGenericParameterConstraint(constraint).Type, found);
                }
            }
        }

        private void AddBody(MethodBodyBlock body, HashSet<TypeDefinitionHandle> found)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, null))
                {
                    found.UnionWith(local);
                }
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                ushort code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (ushort)(0xFE00 | il.ReadByte());
                }

                switch (OperandTypes[code])
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        // Read first: `il.Offset += 4 * il.ReadInt32()` would take Offset before the count was read.
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()), found);
                        break;
                    default: // InlineI, InlineBrTarget, InlineSig, InlineString, ShortInlineR
                        il.Offset += 4;
                        break;
                }
            }
        }

        private void AddEntity(EntityHandle handle, HashSet<TypeDefinitionHandle> found)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    found.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    found.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(collector, null));
                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    found.Add(method.GetDeclaringType());
                    AddMethodSignature(method.DecodeSignature(collector, null), found);
                    break;
                case HandleKind.FieldDefinition:
                    found.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    AddEntity(member.Parent, found);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        AddMethodSignature(member.DecodeMethodSignature(collector, null), found);
                    }
                    else
                    {
                        found.UnionWith(member.DecodeFieldSignature(collector, null));
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    AddEntity(specification.Method, found);
                    foreach (var argument in specification.DecodeSignature(collector, null))
                    {
                        found.UnionWith(argument);
                    }

                    break;
            }
        }
    }

    /// <summary>Decodes a signature into the type definitions of this assembly it mentions (references to other
    /// assemblies are no folder of ours).</summary>
    private sealed class DefinitionCollector : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableArray<TypeDefinitionHandle> None = [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];
        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];
        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? context, int index) => None;
        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? context, int index) => None;
        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;
    }
}
