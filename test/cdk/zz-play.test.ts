import { AwsSolutionsChecks } from 'cdk-nag';
import { it } from 'vitest';
import { newApp, oneDeployStack, prepareBundles, twoStepLink } from './stacks';

it('nag', () => {
  prepareBundles();
  const app = newApp();
  const { stack, role } = oneDeployStack(app);
  twoStepLink(stack, role, 'Manual');
  const report = new AwsSolutionsChecks().validateScope(app);
  for (const v of report.violations)
    console.log(
      v.ruleName,
      v.ruleMetadata?.['id'] ?? '',
      JSON.stringify(v.violatingResources.map((r) => r.resourceLogicalId)),
      v.description.slice(0, 100),
    );
});
