// `npm run status`: is the link in force, and does the role hold what the stack wrote? The work is in scripts/status/.

import { runAsNpmScript } from './npm-script';
import { runStatus } from './status/main';

runAsNpmScript(runStatus);
