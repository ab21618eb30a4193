// How the script asks Snowflake CLI for DESCRIBE INTEGRATION itself (--integration NAME). The name
// goes into SQL text, so only a well-formed Snowflake identifier is let through.

const UNQUOTED_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
// Inside double quotes anything printable goes, and a quote is written twice.
const QUOTED_IDENTIFIER = /^"(?:[^"\p{Cc}]|""){1,255}"$/u;

/** Why a name is not a Snowflake identifier that can be put into DESC INTEGRATION, or undefined. */
export function integrationNameProblem(name: string): string | undefined {
  if (UNQUOTED_IDENTIFIER.test(name) || QUOTED_IDENTIFIER.test(name)) return undefined;
  return (
    `--integration ${JSON.stringify(name)} is not a Snowflake identifier: use letters, digits, _ and $ ` +
    `(starting with a letter or _), or a double-quoted name such as '"My Integration"'.`
  );
}

/** The arguments of `snow` that print DESC INTEGRATION as JSON; the name must have passed integrationNameProblem. */
export function snowDescribeArgs(integration: string, connection?: string): string[] {
  const args = ['sql', '-q', `DESC INTEGRATION ${integration}`, '--format', 'json'];
  return connection === undefined ? args : [...args, '-c', connection];
}
