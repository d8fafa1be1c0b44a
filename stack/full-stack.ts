import type { StackConfig } from './config.js';
import { createStack, type Stack } from './stack.js';

/** The whole local stack: the servers, then the services of ours that run beside them. */
export function createFullStack(config: StackConfig): Stack {
  return createStack(config);
}
