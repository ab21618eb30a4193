// `npm run link`: links a Snowflake integration to the stack's role. The work is in scripts/link/.

import { runLink } from './link/main';
import { runAsNpmScript } from './npm-script';

runAsNpmScript(runLink);
