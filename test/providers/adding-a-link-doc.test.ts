// docs/adding-a-link.md shows the examples the lab deploys, word for word.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const doc = readFileSync('docs/adding-a-link.md', 'utf8');

describe('docs/adding-a-link.md', () => {
  it.each(['examples/nested-provider.yaml', 'examples/nested-snowflake-provider.yaml'])(
    'shows %s as it is',
    (file) => {
      const block = doc.split(`<!-- ${file} -->\n\`\`\`yaml\n`)[1]?.split('\n```\n')[0];
      expect(block).toBe(readFileSync(file, 'utf8').trimEnd());
    },
  );

  it('keeps the heading the CDK construct library fills in', () => {
    expect(doc).toMatch(/^## CDK$/m);
  });

  it('tells users the capabilities and the ServiceTimeout the providers need', () => {
    expect(doc).toContain('CAPABILITY_AUTO_EXPAND');
    expect(doc).toContain('ServiceTimeout: 300');
  });
});
