import fs from 'node:fs';
import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { logFile } from './components/component.js';
import { stackConfigSchema } from './config.js';
import { createFullStack } from './full-stack.js';
import { stackDown, stackStatus, stackUp } from './stack.js';
import { tail } from '../support/log-tail.js';

const USAGE = 'usage: npm run stack -- up|down|status|logs [component]';

async function main(command = 'status', target?: string) {
  const config = loadConfigOrExit(stackConfigSchema);
  const stack = createFullStack(config);
  switch (command) {
    case 'up': {
      const started = Date.now();
      await stackUp(stack, config.STACK_START_TIMEOUT_MS);
      console.log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      break;
    }
    case 'down':
      await stackDown(stack, target ? [target] : undefined);
      break;
    case 'status': {
      const statuses = await stackStatus(stack);
      for (const s of statuses) {
        console.log(
          `${s.name.padEnd(16)} ${(s.healthy ? 'up' : 'down').padEnd(5)} ${s.owner.padEnd(11)} ${s.url}`,
        );
      }
      process.exitCode = statuses.every((s) => s.healthy) ? 0 : 1;
      break;
    }
    case 'logs':
      for (const component of stack.tiers.flat().filter((c) => !target || c.name === target)) {
        const file = logFile(stack.paths, component.name);
        if (fs.existsSync(file)) console.log(`==> ${file} <==\n${tail(file, 40)}\n`);
      }
      break;
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
