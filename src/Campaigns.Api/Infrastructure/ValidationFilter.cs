using System.Reflection;
using System.Runtime.CompilerServices;
using FluentValidation;

namespace Campaigns.Api.Infrastructure;

/// <summary>
/// Validates every handler argument that has a FluentValidation validator before the handler runs, and answers 400
/// with a ValidationProblem naming the fields at fault; handlers see only valid input. Added once per route group
/// (as in davidfowl/TodoApi), so a new endpoint is validated by being mapped in its group.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory(Create);
        // An endpoint with validated input can answer a field-by-field 400: the OpenAPI document says so here, once.
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } handler && Validated(handler, endpoint.ApplicationServices).Any())
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(
                    StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
            }
        });
        return builder;
    }

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var validated = Validated(context.MethodInfo, context.ApplicationServices).ToArray();
        if (validated.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var (index, type, validatorType) in validated)
            {
                // Resolved here, not when the endpoint is built: building a validator's rules is first-use work that the
                // first request (the platform's health probe) does not need.
                var validator = (IValidator)invocation.HttpContext.RequestServices.GetRequiredService(validatorType);
                // An empty body (allowed where the parameter is optional) is checked as an empty object, so it gets the
                // same field errors as {}.
                var argument = invocation.Arguments[index] ?? RuntimeHelpers.GetUninitializedObject(type);
                var result = await validator.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                foreach (var (field, messages) in result.ToDictionary())
                {
                    errors[field] = messages;
                }
            }

            return errors.Count == 0 ? await next(invocation) : TypedResults.ValidationProblem(errors);
        };
    }

    /// <summary>The registered validator of <paramref name="type"/>, if it has one.</summary>
    public static IValidator? ValidatorFor(IServiceProvider services, Type type) =>
        ValidatorTypeOf(type) is { } validatorType ? services.GetService(validatorType) as IValidator : null;

    /// <summary>The handler's parameters that have a registered validator, told without building one.</summary>
    private static IEnumerable<(int Index, Type Type, Type ValidatorType)> Validated(MethodInfo handler, IServiceProvider services)
    {
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        foreach (var parameter in handler.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (ValidatorTypeOf(type) is { } validatorType && registered.IsService(validatorType))
            {
                yield return (parameter.Position, type, validatorType);
            }
        }
    }

    private static Type? ValidatorTypeOf(Type type) =>
        type.IsPrimitive || type == typeof(string) || type.ContainsGenericParameters ? null : typeof(IValidator<>).MakeGenericType(type);
}
