// Checks CloudFormation templates against the resource specification in @aws-cdk/aws-service-spec,
// without AWS: npm run check:template [-- file...]. Exits 1 when any template has a problem.
import { checkTemplate } from './template-check/check-template';
import type { Problem } from './template-check/problem';
import { loadTemplate } from './template-check/template';

const DEFAULT_TEMPLATES = ['template.yaml', 'examples/storage-integration.yaml'];

function problemsOf(file: string): Problem[] {
  try {
    return checkTemplate(loadTemplate(file));
  } catch (error) {
    return [{ at: 'file', message: (error as Error).message }];
  }
}

function main(files: readonly string[]): number {
  const failed = files.filter((file) => {
    const problems = problemsOf(file);
    for (const { at, message } of problems) console.error(`${file}: ${at}: ${message}`);
    console.log(`${file}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
    return problems.length > 0;
  });
  return failed.length > 0 ? 1 : 0;
}

const args = process.argv.slice(2);
process.exitCode = main(args.length > 0 ? args : DEFAULT_TEMPLATES);
