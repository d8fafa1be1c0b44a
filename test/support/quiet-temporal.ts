import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes are logged at INFO for every test worker; keep test output to what matters.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier test file.
}
