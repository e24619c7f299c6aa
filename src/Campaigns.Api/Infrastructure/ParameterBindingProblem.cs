using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Campaigns.Api.Infrastructure;

/// <summary>
/// Minimal APIs report a query or route value that does not convert to its parameter's type as a
/// <see cref="BadHttpRequestException"/> whose message names the parameter and nothing else does; this turns it into
/// the same field-by-field 400 the validators give. Pinned by the tests of bad query values.
/// </summary>
public static partial class ParameterBindingProblem
{
    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^ "]+) (?<name>[^ "]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();

    public static ValidationProblemDetails? From(BadHttpRequestException exception)
    {
        if (BindingFailure().Match(exception.Message) is not { Success: true } match)
        {
            return null;
        }

        var field = JsonNamingPolicy.CamelCase.ConvertName(match.Groups["name"].Value);
        var expected = match.Groups["type"].Value.TrimEnd('?') switch
        {
            "bool" => "true or false",
            "int" or "long" => "a whole number",
            var type => $"a valid {type}",
        };
        return new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = [$"'{field}' must be {expected}; '{match.Groups["value"].Value}' is not."],
        })
        {
            Status = StatusCodes.Status400BadRequest,
        };
    }
}
