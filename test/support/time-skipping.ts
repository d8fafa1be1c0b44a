import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

/** A time-skipping environment backed by the test server provisioned from Maven Central. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
}
