import type { TestProject } from 'vitest/node';
import { provision } from '../../harness/support/process-control.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testServerPath: string;
  }
}

/** Provisions (cached) the Java time-skipping test server once per run. */
export default async function setup(project: TestProject) {
  project.provide('testServerPath', await provision('test-server'));
}
