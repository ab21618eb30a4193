// Checks CloudFormation templates against the resource specification in @aws-cdk/aws-service-spec,
// without AWS: npm run check:template [-- file...]. Exits 1 when any template has a problem.
import { parseArgs } from 'node:util';
import { checkTemplate } from './template-check/check-template';
import type { Problem } from './template-check/problem';
import { loadTemplate } from './template-check/template';

const DEFAULT_TEMPLATES = ['template.yaml', 'examples/storage-integration.yaml'];

const USAGE = `Usage: npm run check:template [-- [file...]]

Checks CloudFormation and SAM templates against the CloudFormation resource specification, without AWS:
the template's sections, resource types and their properties, references (!Ref, !GetAtt, !Sub...) and
dependency cycles. With no file, checks ${DEFAULT_TEMPLATES.join(' and ')}.

  -h, --help   print this help

Exit codes: 0 every template is fine, 1 a template has a problem (each printed as file: place: problem),
2 the command line is wrong.
`;

function problemsOf(file: string): Problem[] {
  try {
    return checkTemplate(loadTemplate(file));
  } catch (error) {
    return [{ at: 'file', message: (error as Error).message }];
  }
}

function check(files: readonly string[]): number {
  const failed = files.filter((file) => {
    const problems = problemsOf(file);
    for (const { at, message } of problems) console.error(`${file}: ${at}: ${message}`);
    console.log(`${file}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
    return problems.length > 0;
  });
  return failed.length > 0 ? 1 : 0;
}

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    // Node's message goes on with advice about positionals that does not apply here: keep its first sentence.
    const first = (error as Error).message.split(/\.\s/)[0];
    console.error(`check:template: ${first}. Run npm run check:template -- --help for the usage.`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return check(parsed.positionals.length > 0 ? parsed.positionals : DEFAULT_TEMPLATES);
}

function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
}

process.exitCode = main(process.argv.slice(2));
